#include <aikom/check/check_digits.hpp>
#include <aikom/check/identifiers.hpp>
#include <aikom/model/date.hpp>

#include <array>
#include <cstddef>

namespace aikom::check {
namespace {

// ---- UTF-8 ----------------------------------------------------------------------------------

/// What `next_code_point` returns for a malformed sequence (not a code point).
constexpr char32_t bad_code_point = 0xFFFFFFFF;

/// Decodes the code point at `i` and advances `i` past it. Malformed UTF-8 (a stray
/// continuation byte, a truncated sequence, an overlong form, a surrogate, beyond U+10FFFF)
/// gives `bad_code_point`; `i` still advances, so a loop always ends.
char32_t next_code_point(std::string_view s, std::size_t& i) noexcept
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        extra = 1;
        cp = b0 & 0x1FU;
        min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        extra = 2;
        cp = b0 & 0x0FU;
        min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        extra = 3;
        cp = b0 & 0x07U;
        min = 0x10000;
    } else {
        ++i;
        return bad_code_point;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
        if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0U) != 0x80U) {
            i += k;
            return bad_code_point;
        }
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    }
    i += extra + 1;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return bad_code_point;
    }
    return cp;
}

/// Decodes all of `s`; `std::nullopt` when it is not well-formed UTF-8.
std::optional<std::u32string> decode_utf8(std::string_view s)
{
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const char32_t cp = next_code_point(s, i);
        if (cp == bad_code_point) {
            return std::nullopt;
        }
        out.push_back(cp);
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encode_utf8(std::u32string_view cps)
{
    std::string out;
    out.reserve(cps.size() * 2);
    for (char32_t cp : cps) {
        append_utf8(out, cp);
    }
    return out;
}

// ---- character classes ----------------------------------------------------------------------

constexpr bool is_digit(char32_t c) noexcept
{
    return c >= '0' && c <= '9';
}

constexpr bool is_ascii_upper(char32_t c) noexcept
{
    return c >= 'A' && c <= 'Z';
}

constexpr bool is_ascii_lower(char32_t c) noexcept
{
    return c >= 'a' && c <= 'z';
}

constexpr bool is_ascii_letter(char32_t c) noexcept
{
    return is_ascii_upper(c) || is_ascii_lower(c);
}

/// ASCII letters and the letters of Latin-1 Supplement and Latin Extended-A/B (Müller, Łukasz).
constexpr bool is_latin_letter(char32_t c) noexcept
{
    return is_ascii_letter(c) || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

/// A letter of the Cyrillic block (U+0400..U+04FF without its signs and combining marks).
constexpr bool is_cyrillic_letter(char32_t c) noexcept
{
    return (c >= 0x400 && c <= 0x481) || (c >= 0x48A && c <= 0x4FF);
}

// Ъ, Ы, Э sit inside А..Я but are not Ukrainian letters.
constexpr bool is_ukrainian_upper(char32_t c) noexcept
{
    return (c >= 0x410 && c <= 0x42F && c != 0x42A && c != 0x42B && c != 0x42D) || c == 0x404 ||
           c == 0x406 || c == 0x407 || c == 0x490;
}

constexpr bool is_ukrainian_lower(char32_t c) noexcept
{
    return (c >= 0x430 && c <= 0x44F && c != 0x44A && c != 0x44B && c != 0x44D) || c == 0x454 ||
           c == 0x456 || c == 0x457 || c == 0x491;
}

/// A letter the letter part of a certificate series may hold: a capital of the Ukrainian
/// alphabet (А..Я without Ъ, Ы, Э; with Є, І, Ї, Ґ).
constexpr bool is_series_letter(char32_t c) noexcept
{
    return is_ukrainian_upper(c);
}

/// Spaces a person may type or paste: ASCII space and tab, no-break and typographic spaces.
constexpr bool is_space_like(char32_t c) noexcept
{
    return c == ' ' || c == '\t' || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

/// Hyphen-minus and the dashes that stand in for it: hyphen, non-breaking hyphen, figure dash,
/// en dash, em dash, horizontal bar, minus sign, small and full-width hyphen-minus.
constexpr bool is_dash_like(char32_t c) noexcept
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 || c == 0xFE63 ||
           c == 0xFF0D;
}

constexpr bool is_apostrophe_like(char32_t c) noexcept
{
    return c == '\'' || c == 0x2019 || c == 0x02BC || c == 0x2018 || c == '`' || c == 0xB4;
}

struct look_alike {
    char32_t latin;
    char32_t cyrillic;
};

/// Latin letters and the Cyrillic letters they look like. The capitals are exactly the
/// look-alikes DOMAIN.md lists for certificate series; names also use the lower case ones.
constexpr std::array<look_alike, 21> look_alikes{{
    {'A', U'А'}, {'a', U'а'}, {'B', U'В'}, {'C', U'С'}, {'c', U'с'}, {'E', U'Е'}, {'e', U'е'},
    {'H', U'Н'}, {'I', U'І'}, {'i', U'і'}, {'K', U'К'}, {'k', U'к'}, {'M', U'М'}, {'O', U'О'},
    {'o', U'о'}, {'P', U'Р'}, {'p', U'р'}, {'T', U'Т'}, {'X', U'Х'}, {'x', U'х'}, {'y', U'у'},
}};

static_assert(
    [] {
        for (const auto& pair : look_alikes) {
            if (!is_ascii_letter(pair.latin) || pair.cyrillic < 0x400 || pair.cyrillic > 0x4FF) {
                return false;
            }
        }
        return true;
    }(),
    "look_alikes maps ASCII letters to Cyrillic ones");

/// The Cyrillic twin of a Latin letter in a name (case kept), or 0.
constexpr char32_t name_cyrillic_twin(char32_t c) noexcept
{
    for (const auto& pair : look_alikes) {
        if (pair.latin == c) {
            return pair.cyrillic;
        }
    }
    return 0;
}

/// The Cyrillic capital a Latin look-alike of either case stands for in a certificate's letter
/// part (`b` → `В`, as DOMAIN.md lists the letters without case), or 0.
constexpr char32_t series_cyrillic_twin(char32_t c) noexcept
{
    return name_cyrillic_twin(is_ascii_lower(c) ? c - ('a' - 'A') : c);
}

// ---- shared shapes --------------------------------------------------------------------------

/// `empty`, `character` or `length` for text that must be exactly `length` ASCII digits;
/// `ok` when it is.
constexpr id_error check_digits_shape(std::string_view text, std::size_t length) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    for (char c : text) {
        if (!is_digit(static_cast<unsigned char>(c))) {
            return id_error::character;
        }
    }
    return text.size() == length ? id_error::ok : id_error::length;
}

/// A Roman numeral 1..39 in standard subtractive form: up to three X, then one of the units.
constexpr bool is_roman_1_to_39(std::string_view r) noexcept
{
    std::size_t tens = 0;
    while (tens < r.size() && tens < 3 && r[tens] == 'X') {
        ++tens;
    }
    constexpr std::array<std::string_view, 10> units{"",  "I",  "II",  "III",  "IV",
                                                     "V", "VI", "VII", "VIII", "IX"};
    const std::string_view rest = r.substr(tens);
    for (std::size_t u = 0; u < units.size(); ++u) {
        if (rest == units[u]) {
            return tens + u > 0;
        }
    }
    return false;
}

// ---- certificate series normalisation -------------------------------------------------------

/// Whether `c` may stand in the Roman part of a series that can become valid (1..39): Latin
/// I, V, X in either case, Cyrillic І and Х, the digit 1 and the Unicode numerals Ⅰ..Ⅻ, ⅰ..ⅻ.
constexpr bool is_roman_candidate(char32_t c) noexcept
{
    switch (c) {
    case 'I':
    case 'V':
    case 'X':
    case 'i':
    case 'v':
    case 'x':
    case '1':
    case 0x406:
    case 0x456:
    case 0x425:
    case 0x445:
        return true;
    default:
        return (c >= 0x2160 && c <= 0x216B) || (c >= 0x2170 && c <= 0x217B);
    }
}

/// Appends the Latin capitals `c` stands for in the Roman part; false when it stands for none.
bool append_roman(std::string& out, char32_t c)
{
    constexpr std::array<std::string_view, 12> numerals{"I",   "II",   "III", "IV", "V",  "VI",
                                                        "VII", "VIII", "IX",  "X",  "XI", "XII"};
    if (is_ascii_upper(c)) {
        out.push_back(static_cast<char>(c));
    } else if (is_ascii_lower(c)) {
        out.push_back(static_cast<char>(c - ('a' - 'A')));
    } else if (c == '1' || c == 0x406 || c == 0x456) {
        out.push_back('I');
    } else if (c == 0x425 || c == 0x445) {
        out.push_back('X');
    } else if (c == 0x421 || c == 0x441) {
        out.push_back('C');
    } else if (c >= 0x2160 && c <= 0x216B) {
        out += numerals[c - 0x2160];
    } else if (c >= 0x2170 && c <= 0x217B) {
        out += numerals[c - 0x2170];
    } else {
        return false;
    }
    return true;
}

/// The Cyrillic capital `c` stands for in the letter part, or 0.
constexpr char32_t series_letter_for(char32_t c) noexcept
{
    if (is_series_letter(c)) {
        return c;
    }
    if (c >= 0x430 && c <= 0x44F) {
        return c - 0x20;
    }
    switch (c) {
    case 0x454:
        return 0x404;
    case 0x456:
        return 0x406;
    case 0x457:
        return 0x407;
    case 0x491:
        return 0x490;
    default:
        return series_cyrillic_twin(c);
    }
}

// ---- names ----------------------------------------------------------------------------------

enum class name_char : std::uint8_t {
    ukrainian,  // a letter of the Ukrainian alphabet
    cyrillic,   // another Cyrillic letter (ы, э, ъ, ё, ў, …)
    latin,      // a Latin letter
    apostrophe, // ASCII '
    separator,  // '-' or ' '
    other,      // anything else, malformed UTF-8 included
};

constexpr name_char classify_name_char(char32_t c) noexcept
{
    if (is_ukrainian_upper(c) || is_ukrainian_lower(c)) {
        return name_char::ukrainian;
    }
    if (is_cyrillic_letter(c)) {
        return name_char::cyrillic;
    }
    if (is_latin_letter(c)) {
        return name_char::latin;
    }
    if (c == '\'') {
        return name_char::apostrophe;
    }
    if (c == '-' || c == ' ') {
        return name_char::separator;
    }
    return name_char::other;
}

constexpr bool is_letter(name_char k) noexcept
{
    return k == name_char::ukrainian || k == name_char::cyrillic || k == name_char::latin;
}

/// Rewrites a word mixing scripts in Cyrillic when every Latin letter has a Cyrillic twin and
/// everything else in it is a Cyrillic letter or an apostrophe; leaves any other word alone.
void fix_mixed_word(std::u32string::iterator first, std::u32string::iterator last)
{
    bool has_cyrillic = false;
    bool has_latin = false;
    for (auto it = first; it != last; ++it) {
        if (is_cyrillic_letter(*it)) {
            has_cyrillic = true;
        } else if (name_cyrillic_twin(*it) != 0) {
            has_latin = true;
        } else if (*it != '\'') {
            return;
        }
    }
    if (!has_cyrillic || !has_latin) {
        return;
    }
    for (auto it = first; it != last; ++it) {
        if (const char32_t twin = name_cyrillic_twin(*it); twin != 0) {
            *it = twin;
        }
    }
}

} // namespace

std::string_view to_string(id_error e) noexcept
{
    switch (e) {
    case id_error::ok:
        return "ok";
    case id_error::empty:
        return "empty";
    case id_error::length:
        return "length";
    case id_error::character:
        return "character";
    case id_error::format:
        return "format";
    case id_error::check_digit:
        return "check_digit";
    case id_error::date:
        return "date";
    case id_error::sequence:
        return "sequence";
    case id_error::mixed_script:
        return "mixed_script";
    case id_error::latin:
        return "latin";
    case id_error::non_ukrainian_letter:
        return "non_ukrainian_letter";
    }
    return "unknown";
}

// ---- identifiers ----------------------------------------------------------------------------

id_error validate_rnokpp(std::string_view text) noexcept
{
    if (const id_error shape = check_digits_shape(text, 10); shape != id_error::ok) {
        return shape;
    }
    return rnokpp_check_digit_matches(text) ? id_error::ok : id_error::check_digit;
}

id_error validate_edrpou(std::string_view text) noexcept
{
    if (const id_error shape = check_digits_shape(text, 8); shape != id_error::ok) {
        return shape;
    }
    return edrpou_check_digit_matches(text) ? id_error::ok : id_error::check_digit;
}

id_error validate_unzr(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    std::size_t digits = 0;
    for (char c : text) {
        if (is_digit(static_cast<unsigned char>(c))) {
            ++digits;
        } else if (c != '-') {
            return id_error::character;
        }
    }
    if (digits != 13) {
        return id_error::length;
    }
    if (text.size() != 14 || text[8] != '-') {
        return id_error::format;
    }
    // YYYYMMDD as YYYY-MM-DD, so the model's date rules apply (years 1000..9999).
    std::array<char, 10> iso{};
    for (std::size_t i = 0, j = 0; i < iso.size(); ++i) {
        iso[i] = (i == 4 || i == 7) ? '-' : text[j++];
    }
    if (!model::parse_iso_date(std::string_view{iso.data(), iso.size()})) {
        return id_error::date;
    }
    if (text.substr(9, 4) == "0000") {
        return id_error::sequence;
    }
    return unzr_check_digit_matches(text) ? id_error::ok : id_error::check_digit;
}

id_error validate_katottg(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (!is_digit(u) && !is_ascii_letter(u)) {
            return id_error::character;
        }
    }
    if (!text.starts_with("UA")) {
        return id_error::format;
    }
    const std::string_view digits = text.substr(2);
    for (char c : digits) {
        if (!is_digit(static_cast<unsigned char>(c))) {
            return id_error::character;
        }
    }
    return digits.size() == 17 ? id_error::ok : id_error::length;
}

id_error validate_country_code(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    for (char c : text) {
        if (!is_ascii_letter(static_cast<unsigned char>(c))) {
            return id_error::character;
        }
    }
    if (text.size() != 2) {
        return id_error::length;
    }
    const bool upper = is_ascii_upper(static_cast<unsigned char>(text[0])) &&
                       is_ascii_upper(static_cast<unsigned char>(text[1]));
    return upper ? id_error::ok : id_error::format;
}

// ---- documents ------------------------------------------------------------------------------

id_error validate_certificate_series(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    std::size_t hyphens = 0;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = next_code_point(text, i);
        if (c == '-') {
            ++hyphens;
        } else if (c != 'I' && c != 'V' && c != 'X' && !is_series_letter(c)) {
            return id_error::character;
        }
    }
    if (hyphens != 1) {
        return id_error::format;
    }
    const std::size_t hyphen = text.find('-');
    const std::string_view roman = text.substr(0, hyphen);
    for (char c : roman) {
        if (c != 'I' && c != 'V' && c != 'X') {
            return id_error::character; // a Cyrillic letter in the Roman part
        }
    }
    if (!is_roman_1_to_39(roman)) {
        return id_error::format;
    }
    const std::string_view letters = text.substr(hyphen + 1);
    std::size_t count = 0;
    for (std::size_t i = 0; i < letters.size(); ++count) {
        if (!is_series_letter(next_code_point(letters, i))) {
            return id_error::character; // a Latin I, V or X in the letter part
        }
    }
    return count == 2 ? id_error::ok : id_error::length;
}

id_error validate_certificate_number(std::string_view text) noexcept
{
    return check_digits_shape(text, 6);
}

id_error validate_idp_certificate_number(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    std::size_t count = 0;
    bool has_digit = false;
    for (std::size_t i = 0; i < text.size(); ++count) {
        const char32_t c = next_code_point(text, i);
        if (is_digit(c)) {
            has_digit = true;
        } else if (!is_ascii_letter(c) && !is_cyrillic_letter(c) && c != '-' && c != '/') {
            return id_error::character;
        }
    }
    if (count > 32) {
        return id_error::length;
    }
    return has_digit ? id_error::ok : id_error::format;
}

std::optional<std::string> normalize_certificate_series(std::string_view text)
{
    const auto decoded = decode_utf8(text);
    if (!decoded) {
        return std::nullopt;
    }
    std::u32string cps;
    for (char32_t c : *decoded) {
        if (!is_space_like(c)) {
            cps.push_back(is_dash_like(c) ? char32_t{'-'} : c);
        }
    }
    std::u32string_view roman;
    std::u32string_view letters;
    const std::u32string_view all{cps};
    const std::size_t hyphen = all.find(U'-');
    if (hyphen != std::u32string_view::npos) {
        if (all.find(U'-', hyphen + 1) != std::u32string_view::npos) {
            return std::nullopt;
        }
        roman = all.substr(0, hyphen);
        letters = all.substr(hyphen + 1);
    } else {
        // No hyphen: the letter part is the last two characters, and only when that is also
        // where the first character that cannot be Roman stands ("IIБК"; not "IIІК" or "IIК").
        if (all.size() < 3) {
            return std::nullopt;
        }
        const std::size_t split = all.size() - 2;
        std::size_t first_non_roman = 0;
        while (first_non_roman < all.size() && is_roman_candidate(all[first_non_roman])) {
            ++first_non_roman;
        }
        if (first_non_roman != split) {
            return std::nullopt;
        }
        roman = all.substr(0, split);
        letters = all.substr(split);
    }
    // "11" reads as the look-alike II and as the Arabic eleven (XI): not certain. "1" is I
    // either way; "111" and longer are beyond 39 in Arabic.
    if (roman == U"11") {
        return std::nullopt;
    }

    std::string out;
    for (char32_t c : roman) {
        if (!append_roman(out, c)) {
            return std::nullopt;
        }
    }
    out.push_back('-');
    for (char32_t c : letters) {
        const char32_t letter = series_letter_for(c);
        if (letter == 0) {
            return std::nullopt;
        }
        append_utf8(out, letter);
    }
    if (out == text || validate_certificate_series(out) != id_error::ok) {
        return std::nullopt;
    }
    return out;
}

// ---- phones ---------------------------------------------------------------------------------

id_error validate_phone(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '+' && i != 0) {
            return id_error::format;
        }
        if (c != '+' && !is_digit(c)) {
            return id_error::character;
        }
    }
    if (text[0] != '+') {
        return id_error::format; // a national or 380… form: `normalize_phone` adds the `+`
    }
    const std::string_view digits = text.substr(1);
    if (digits.starts_with("380")) {
        // Ukraine's country code: only the Ukrainian form, never a "foreign" number.
        if (digits.size() != 12) {
            return id_error::length;
        }
        return digits[3] == '0' ? id_error::format : id_error::ok;
    }
    if (digits.size() < 7 || digits.size() > 15) {
        return id_error::length;
    }
    return digits[0] == '0' ? id_error::format : id_error::ok;
}

std::optional<std::string> normalize_phone(std::string_view text)
{
    const auto decoded = decode_utf8(text);
    if (!decoded) {
        return std::nullopt;
    }
    std::string compact;
    for (char32_t c : *decoded) {
        if (is_space_like(c) || is_dash_like(c) || c == '.' || c == '(' || c == ')') {
            continue;
        }
        if (!is_digit(c) && c != '+') {
            return std::nullopt;
        }
        compact.push_back(static_cast<char>(c));
    }
    std::string out;
    if (compact.starts_with('+')) {
        out = std::move(compact);
    } else if (compact.size() == 10 && compact[0] == '0') {
        out = "+38" + compact;
    } else if (compact.size() == 12 && compact.starts_with("380")) {
        out = "+" + compact;
    } else {
        return std::nullopt;
    }
    if (out == text || validate_phone(out) != id_error::ok) {
        return std::nullopt;
    }
    return out;
}

// ---- names ----------------------------------------------------------------------------------

id_error validate_name_part(std::string_view text) noexcept
{
    if (text.empty()) {
        return id_error::empty;
    }
    bool bad_format = false;
    bool mixed = false;
    bool any_latin = false;
    bool any_non_ukrainian = false;
    bool word_latin = false;
    bool word_cyrillic = false;
    name_char prev = name_char::separator; // as if the text began after a separator
    for (std::size_t i = 0; i < text.size();) {
        const name_char k = classify_name_char(next_code_point(text, i));
        switch (k) {
        case name_char::other:
            return id_error::character;
        case name_char::ukrainian:
        case name_char::cyrillic:
            word_cyrillic = true;
            any_non_ukrainian = any_non_ukrainian || k == name_char::cyrillic;
            break;
        case name_char::latin:
            word_latin = true;
            any_latin = true;
            break;
        case name_char::apostrophe:
            bad_format = bad_format || !is_letter(prev);
            break;
        case name_char::separator:
            bad_format = bad_format || !is_letter(prev);
            word_latin = false;
            word_cyrillic = false;
            break;
        }
        mixed = mixed || (word_latin && word_cyrillic);
        prev = k;
    }
    if (bad_format || !is_letter(prev)) {
        return id_error::format;
    }
    if (mixed) {
        return id_error::mixed_script;
    }
    if (any_latin) {
        return id_error::latin;
    }
    return any_non_ukrainian ? id_error::non_ukrainian_letter : id_error::ok;
}

std::optional<std::string> normalize_name_part(std::string_view text)
{
    const auto decoded = decode_utf8(text);
    if (!decoded) {
        return std::nullopt;
    }
    std::u32string cps;
    bool pending_space = false;
    for (char32_t c : *decoded) {
        if (is_space_like(c)) {
            pending_space = !cps.empty();
            continue;
        }
        if (pending_space) {
            cps.push_back(U' ');
            pending_space = false;
        }
        cps.push_back(is_apostrophe_like(c) ? char32_t{'\''} : c);
    }
    for (auto first = cps.begin(); first != cps.end();) {
        auto last = first;
        while (last != cps.end() && *last != U' ' && *last != U'-') {
            ++last;
        }
        fix_mixed_word(first, last);
        first = last == cps.end() ? last : last + 1;
    }
    std::string out = encode_utf8(cps);
    if (out.empty() || out == text) {
        return std::nullopt;
    }
    return out;
}

} // namespace aikom::check
