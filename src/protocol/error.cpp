#include <aikom/protocol/error.hpp>

#include <string>

namespace aikom::protocol {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "aikom.protocol"; }

    std::string message(int ev) const override
    {
        switch (static_cast<protocol_errc>(ev)) {
        case protocol_errc::ok:
            return "no error";
        case protocol_errc::malformed_json:
            return "the body is not the JSON this endpoint returns: check the URL and the "
                   "server's protocol version";
        case protocol_errc::missing_field:
            return "a field the protocol requires is missing from the body: the server does not "
                   "speak protocol v1 as documented";
        case protocol_errc::unexpected_status:
            return "the server answered with a status this endpoint does not document";
        case protocol_errc::bad_cursor:
            return "the cursor was not issued by this server: start again without a cursor";
        case protocol_errc::bad_target:
            return "the request target is not an origin-form URI (path and query)";
        case protocol_errc::bad_value:
            return "a member of the body has the wrong type or a value out of range: the server "
                   "does not speak protocol v1 as documented";
        case protocol_errc::unexpected_content_type:
            return "the response is not of the media type this endpoint sends: check that the URL "
                   "points at an aikom-exchange server and not at a proxy or a login page";
        case protocol_errc::problem_without_details:
            return "the server answered with an error status but without problem details: a "
                   "proxy or gateway in between may have answered instead of the server";
        }
        return "unknown aikom.protocol error";
    }
};

} // namespace

const boost::system::error_category& protocol_category() noexcept
{
    static const category instance;
    return instance;
}

} // namespace aikom::protocol
