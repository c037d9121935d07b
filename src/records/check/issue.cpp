#include <aikom/check/issue.hpp>

namespace aikom::check {

void append_pointer_token(std::string& pointer, std::string_view token)
{
    pointer.push_back('/');
    for (char c : token) {
        if (c == '~') {
            pointer.append("~0");
        } else if (c == '/') {
            pointer.append("~1");
        } else {
            pointer.push_back(c);
        }
    }
}

} // namespace aikom::check
