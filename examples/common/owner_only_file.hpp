// What the programs that write personal data (rosters, reports) share: their output files are
// created owner-only (mode 0600) whatever the umask, never widened and then narrowed. A file that
// exists already keeps its permissions (whoever made it chose them).
#ifndef AIKOM_EXAMPLES_OWNER_ONLY_FILE_HPP
#define AIKOM_EXAMPLES_OWNER_ONLY_FILE_HPP

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace aikom::examples {

/// Opens `path` for writing, truncated; when it does not exist it is created with mode 0600
/// first. Check the stream as usual: a file that cannot be created cannot be opened either.
inline void open_owner_only(std::ofstream& out, const std::filesystem::path& path)
{
    if (const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        fd >= 0) {
        ::close(fd);
    }
    out.open(path, std::ios::binary | std::ios::trunc);
}

} // namespace aikom::examples

#endif
