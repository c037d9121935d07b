#include "fixtures.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace aikom::test {

using namespace std::chrono;
using namespace aikom::model;

model::child every_field_child()
{
    child c;
    c.id = "kd-000123";
    c.institution = edrpou("32855961");
    c.name = person_name{.last = "Тестенко", .first = "Мар'яна", .patronymic = "Іванівна"};
    c.birth_date = 2021y / March / 14;
    c.sex = sex::female;
    c.citizenship = country_code("UA");
    c.rnokpp = model::rnokpp("4412345678");
    c.unzr = model::unzr("20210314-01234");
    c.document = identity_document{.type = document_type::ua_birth_certificate,
                                   .series = "I-КВ",
                                   .number = "123456",
                                   .issued_on = 2021y / March / 20,
                                   .issuer = "Відділ ДРАЦС \"Тестовий\"\\1",
                                   .country = country_code("UA")};
    c.displacement = model::displacement{
        .status = displacement_status::internal,
        .since = 2022y / March / 1,
        .certificate = idp_certificate{.number = "0000-0000001", .issued_on = 2022y / April / 2},
        .from_katottg = katottg("UA14000000000000000"),
        .country = country_code("UA")};
    c.contact = contact_status{.status = contact_state::lost,
                               .since = 2024y / September / 1,
                               .with = contact_scope::child_and_representatives};
    c.education = model::education{.form = education_form::distance};
    c.enrollment = model::enrollment{.group = group{.id = "g-3",
                                                    .name = "Сонечко",
                                                    .age_band = age_band::middle,
                                                    .kind = group_kind::general},
                                     .enrolled_on = 2024y / September / 1,
                                     .order = "15-к",
                                     .left_on = 2025y / May / 30,
                                     .leave_reason = "переїзд\nу інше місто\t(тест)"};
    c.residence = model::residence{.country = country_code("UA"),
                                   .katottg = katottg("UA80000000000000000"),
                                   .address = "вул. Тестова, 1"};
    c.special_needs = model::special_needs{.has = true, .support_level = 2};
    c.free_meals = true;
    c.guardians = {
        guardian{.name =
                     person_name{.last = "Тестенко", .first = "Олена", .patronymic = std::nullopt},
                 .relation = guardian_relation::mother,
                 .phone = "+380501234567"},
        guardian{
            .name = std::nullopt, .relation = guardian_relation::other, .phone = "+48123456789"},
    };
    return c;
}

model::child minimal_child(std::string id)
{
    child c;
    c.id = std::move(id);
    return c;
}

temp_dir::temp_dir()
{
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("aikom-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

full_pipe::full_pipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("full_pipe: pipe2 failed");
    }
    read_end_ = fds[0];
    write_end_ = fds[1];
    const int flags = ::fcntl(write_end_, F_GETFL);
    ::fcntl(write_end_, F_SETFL, flags | O_NONBLOCK);
    const std::string block(4096, 'x');
    while (::write(write_end_, block.data(), block.size()) > 0) {
    }
    while (::write(write_end_, block.data(), 1) > 0) {
    }
    ::fcntl(write_end_, F_SETFL, flags);
}

full_pipe::~full_pipe()
{
    close_read_end();
    close_write_end();
}

void full_pipe::close_read_end()
{
    if (read_end_ >= 0) {
        ::close(read_end_);
        read_end_ = -1;
    }
}

void full_pipe::close_write_end()
{
    if (write_end_ >= 0) {
        ::close(write_end_);
        write_end_ = -1;
    }
}

std::string full_pipe::drain()
{
    const int flags = ::fcntl(read_end_, F_GETFL);
    ::fcntl(read_end_, F_SETFL, flags | O_NONBLOCK);
    std::string out;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(read_end_, buffer, sizeof buffer);
        if (n <= 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::fcntl(read_end_, F_SETFL, flags);
    return out;
}

scoped_umask::scoped_umask(unsigned mask)
    : previous_(static_cast<unsigned>(::umask(static_cast<mode_t>(mask))))
{}

scoped_umask::~scoped_umask()
{
    ::umask(static_cast<mode_t>(previous_));
}

int group_and_other_bits(const std::filesystem::path& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return -1;
    }
    return static_cast<int>(st.st_mode & 077);
}

int run_command(const std::string& command)
{
    const int status = std::system(command.c_str());
    if (status == -1 || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

void write_file(const std::filesystem::path& path, std::string_view bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        throw std::runtime_error("cannot write test file");
    }
}

std::vector<codec::read_item> read_all(std::string_view bytes, codec::input_format format,
                                       codec::reader_options options)
{
    std::istringstream in{std::string(bytes)};
    auto reader = codec::make_reader(in, format, "input", options);
    std::vector<codec::read_item> items;
    codec::read_item item;
    while (reader->next(item)) {
        items.push_back(item);
    }
    CHECK(reader->buffer_high_water() <= reader->buffer_limit());
    return items;
}

std::string to_cp1251(std::string_view text)
{
    // Only what the tests use: ASCII, А..я, Іі Її Єє Ґґ and the typographic apostrophe.
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        if (b0 < 0x80) {
            out.push_back(static_cast<char>(b0));
            ++i;
            continue;
        }
        char32_t cp = 0;
        if ((b0 & 0xE0) == 0xC0) {
            cp = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
            i += 2;
        } else {
            cp = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
            i += 3;
        }
        if (cp >= 0x410 && cp <= 0x44F) {
            out.push_back(static_cast<char>(0xC0 + (cp - 0x410)));
        } else {
            switch (cp) {
            case 0x406:
                out.push_back('\xB2');
                break;
            case 0x456:
                out.push_back('\xB3');
                break;
            case 0x407:
                out.push_back('\xAF');
                break;
            case 0x457:
                out.push_back('\xBF');
                break;
            case 0x404:
                out.push_back('\xAA');
                break;
            case 0x454:
                out.push_back('\xBA');
                break;
            case 0x490:
                out.push_back('\xA5');
                break;
            case 0x491:
                out.push_back('\xB4');
                break;
            case 0x2019:
                out.push_back('\x92');
                break;
            default:
                throw std::invalid_argument("to_cp1251: character not used by the tests");
            }
        }
    }
    return out;
}

std::string with_value(std::string_view json, std::string_view pointer, std::string_view literal)
{
    auto dom = boost::json::parse(json);
    dom.at_pointer(pointer) = "\x01placeholder";
    auto text = boost::json::serialize(dom);
    const std::string placeholder = "\"\\u0001placeholder\"";
    const auto at = text.find(placeholder);
    REQUIRE(at != std::string::npos);
    return text.replace(at, placeholder.size(), literal);
}

std::vector<pointer_code> pointers_and_codes(const std::vector<check::issue>& issues)
{
    std::vector<pointer_code> out;
    for (const auto& i : issues) {
        out.emplace_back(i.pointer, i.code);
    }
    return out;
}

} // namespace aikom::test
