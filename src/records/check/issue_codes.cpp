// The one table of issue codes. docs/issue-codes.md mirrors it (tests/unit/issue_codes_test.cpp
// compares them). Ukrainian messages are written for the institution's staff, not programmers.
#include <aikom/check/issue_codes.hpp>

#include <algorithm>

namespace aikom::check {
namespace {

using enum severity;

constexpr issue_code_info codes[] = {
    // ---- JSON input --------------------------------------------------------------------------
    {"json.array", error, "the file is not a JSON array of records: {detail}; reading stopped here",
     "файл не є масивом записів JSON: {detail}; читання зупинено тут"},
    {"json.syntax", error, "malformed JSON at byte {offset}: {detail}",
     "пошкоджений JSON (байт {offset}): {detail}"},
    {"json.too_deep", error, "nested deeper than {max} levels",
     "надто глибока вкладеність: понад {max} рівнів"},
    {"json.too_large", error, "the record is larger than {max} bytes",
     "запис завеликий: понад {max} байтів"},
    {"json.too_many_issues", error, "too many problems; the rest of the record was not examined",
     "забагато помилок; решту запису не перевірено"},
    // ---- fields ------------------------------------------------------------------------------
    {"field.duplicate", error, "the field appears more than once in the object",
     "поле повторюється в об’єкті кілька разів"},
    {"field.required", error, "required field is missing or null",
     "бракує обов’язкового поля або воно порожнє (null)"},
    {"field.unknown", error, "unknown field: the format does not define it",
     "невідоме поле: формат його не передбачає"},
    // ---- value formats -----------------------------------------------------------------------
    {"format.date", error,
     "not a valid date: expected YYYY-MM-DD (in CSV also dd.mm.yyyy), a day that exists",
     "неправильна дата: очікується РРРР-ММ-ДД (у CSV також дд.мм.рррр), реальна календарна дата"},
    {"format.enum", error, "not an allowed value: expected {expected}",
     "неприпустиме значення: очікується {expected}"},
    {"format.integer", error, "expected a whole number from -2147483648 to 2147483647",
     "очікується ціле число від -2147483648 до 2147483647"},
    {"format.pointer", error,
     "not a JSON Pointer to a field: expected a string starting with \"/\" of at most 256 "
     "characters, each listed once, at most 100 in all",
     "не вказівник на поле (JSON Pointer): очікується рядок, що починається з «/», до 256 "
     "символів, кожен лише раз, не більше 100 загалом"},
    {"format.record_id", error,
     "the record id must be 1 to 64 characters of A-Z, a-z, 0-9 and . _ : -",
     "ідентифікатор запису має містити від 1 до 64 символів: латинські літери, цифри та . _ : -"},
    {"format.too_long", error, "too long: at most {max} characters",
     "задовге значення: щонайбільше {max} символів"},
    {"format.type", error, "wrong type: expected {expected}, got {got}",
     "неправильний тип: очікується {expected}, а отримано {got}"},
    // ---- CSV input ---------------------------------------------------------------------------
    {"csv.columns", error, "the row has more cells than the header has columns",
     "у рядку більше клітинок, ніж стовпців у заголовку"},
    {"csv.encoding", error, "the row is not valid UTF-8 (is the file in Windows-1251?)",
     "рядок не є коректним UTF-8 (можливо, файл у кодуванні Windows-1251?)"},
    {"csv.header", error, "the header row cannot be used: {detail}",
     "рядок заголовків не можна використати: {detail}"},
    {"csv.syntax", error, "a quoted cell is not closed before the end of the file",
     "клітинку в лапках не закрито до кінця файлу"},
    // ---- the protocol (a server's answers; `parameter` or `header` instead of a pointer) -----
    {"access.institution", error, "this institution is not within your access",
     "цей заклад не входить до вашого доступу"},
    {"access.scope", error, "the access token lacks the scope {scope}",
     "токен доступу не має дозволу {scope}"},
    {"batch.too_many_items", error, "a batch holds at most {max} records",
     "пакет містить щонайбільше {max} записів"},
    {"cursor.invalid", error,
     "the cursor was not issued by this server for this request: start again without it",
     "курсор видано не цим сервером або для іншого запиту: почніть знову без курсора"},
    {"header.invalid", error, "the header's value is not valid: {expected}",
     "значення заголовка недійсне: {expected}"},
    {"parameter.invalid", error, "the parameter's value is not valid: {expected}",
     "значення параметра недійсне: {expected}"},
    {"parameter.unknown", error, "this endpoint does not define this query parameter",
     "цей ресурс не має такого параметра запиту"},
    {"path.invalid", error, "this part of the path is not valid: {expected}",
     "ця частина адреси недійсна: {expected}"},
    {"path.mismatch", error, "the body's value differs from the one in the path",
     "значення в тілі запиту відрізняється від значення в адресі"},
    // ---- record rules ------------------------------------------------------------------------
    {"batch.duplicate", error, "the same record (institution and id) appears earlier in this batch",
     "цей самий запис (заклад і ідентифікатор) уже є раніше в цьому пакеті"},
    {"batch.forbidden", error,
     "the record's institution is not among those this client may write: it was not saved",
     "заклад цього запису не входить до тих, дані яких може надсилати цей клієнт: запис не збережено"},
    {"birth_date.age", error, "the child's age is not plausible for preschool (8 years or more)",
     "вік дитини неможливий для закладу дошкільної освіти (8 років і більше)"},
    {"birth_date.age_unusual", warning,
     "the child's age is unusual for preschool (under 1 year or over 7 years): please check",
     "незвичний вік для закладу дошкільної освіти (менше 1 року або понад 7 років): перевірте"},
    {"contact.missing", error,
     "indicator 3: contact with the child and its representatives is not filled in",
     "показник 3: не заповнено, чи є контакт із дитиною та її законними представниками"},
    {"contact.since.missing", error, "when contact is lost, the date it was lost is needed",
     "якщо контакт втрачено, потрібно вказати дату, відколи його немає"},
    {"country.format", error,
     "a country code is two capital Latin letters (ISO 3166-1), e.g. UA, PL",
     "код країни — дві великі латинські літери (ISO 3166-1), наприклад UA, PL"},
    {"date.before_birth", error, "the date is before the child's birth date",
     "дата раніша за дату народження дитини"},
    {"date.future", error, "the date is in the future", "дата ще не настала"},
    {"date.order", error, "the leaving date is before the enrollment date",
     "дата вибуття раніша за дату зарахування"},
    {"displacement.certificate.format", error,
     "not an IDP certificate number (digits, letters, '-' and '/')",
     "неправильний номер довідки ВПО (цифри, літери, '-' і '/')"},
    {"displacement.certificate_without_internal", warning,
     "an IDP certificate is recorded but the displacement is not internal",
     "зазначено довідку ВПО, але вимушене переміщення не позначено як внутрішнє"},
    {"displacement.country.missing", error,
     "external displacement needs the country where the child is now",
     "для зовнішнього переміщення потрібно вказати країну, де зараз дитина"},
    {"displacement.missing", error,
     "indicator 2: forced displacement is not filled in (none, internal or external)",
     "показник 2: не заповнено ознаку вимушеного переміщення (немає, внутрішнє чи зовнішнє)"},
    {"displacement.since.missing", error, "internal displacement needs the date it began",
     "для внутрішнього переміщення потрібно вказати дату, з якої дитина переміщена"},
    {"document.missing", error, "indicator 1: the child's identity document is not filled in",
     "показник 1: не заповнено документ дитини (свідоцтво про народження)"},
    {"document.number.format", error, "a birth certificate number has exactly 6 digits",
     "номер свідоцтва про народження має складатися рівно з 6 цифр"},
    {"document.number.missing", warning, "the document's number is not filled in",
     "не заповнено номер документа"},
    {"document.series.format", error,
     "not a birth certificate series: expected a Roman numeral, a hyphen and two Cyrillic "
     "capitals, e.g. I-КВ",
     "неправильна серія свідоцтва: очікується римське число, дефіс і дві великі українські "
     "літери, наприклад I-КВ"},
    {"document.series.normalized", fix,
     "the series is written in a non-standard way (look-alike letters, dashes, case, spaces); "
     "the corrected series is suggested",
     "серію записано нестандартно (схожі літери іншої абетки, тире, регістр, пробіли); "
     "пропонується виправлена серія"},
    {"education.missing", error,
     "indicator 4: the form of education (in person, distance, mixed) is not filled in",
     "показник 4: не заповнено форму навчання (очна, дистанційна, змішана)"},
    {"institution.check_digit", error,
     "the ЄДРПОУ check digit does not match: the code is mistyped",
     "контрольна цифра коду ЄДРПОУ не збігається: код введено з помилкою"},
    {"institution.format", error, "an ЄДРПОУ code has exactly 8 digits",
     "код ЄДРПОУ має складатися рівно з 8 цифр"},
    {"katottg.format", error, "a КАТОТТГ code is UA followed by 17 digits",
     "код КАТОТТГ — це літери UA і 17 цифр"},
    {"name.character", error, "contains characters that cannot be in a name (digits or symbols)",
     "містить символи, яких не буває в імені (цифри чи інші знаки)"},
    {"name.format", error, "empty, or a misplaced space, hyphen or apostrophe",
     "порожнє значення або зайвий чи не на своєму місці пробіл, дефіс, апостроф"},
    {"name.latin", warning, "written in Latin letters; AIKOM expects the Ukrainian spelling",
     "написано латиницею; АІКОМ очікує написання українською"},
    {"name.mixed_script", error, "mixes Latin and Cyrillic letters in one word",
     "в одному слові змішано латинські й українські літери"},
    {"name.non_ukrainian_letter", warning,
     "contains letters that are not in the Ukrainian alphabet (ы, э, ъ, ё)",
     "містить літери, яких немає в українській абетці (ы, э, ъ, ё)"},
    {"name.normalized", fix,
     "written in a non-standard way (apostrophe, spaces, look-alike Latin letters); the corrected "
     "spelling is suggested",
     "записано нестандартно (апостроф, пробіли, схожі латинські літери); пропонується виправлене "
     "написання"},
    {"phone.format", error, "not a phone number: expected +380XXXXXXXXX or a foreign number +…",
     "неправильний номер телефону: очікується +380XXXXXXXXX або іноземний номер +…"},
    {"phone.normalized", fix, "written in a non-standard way; the +380… form is suggested",
     "записано нестандартно; пропонується запис у форматі +380…"},
    {"required.missing", error, "AIKOM needs this field to save the card",
     "АІКОМ не збереже картку без цього поля"},
    {"rnokpp.birth_date_mismatch", warning,
     "the birth date encoded in the РНОКПП differs from the record's birth date",
     "дата народження, закладена в РНОКПП, не збігається з датою народження в картці"},
    {"rnokpp.check_digit", error, "the РНОКПП check digit does not match: the number is mistyped",
     "контрольна цифра РНОКПП не збігається: номер введено з помилкою"},
    {"rnokpp.format", error, "an РНОКПП has exactly 10 digits",
     "РНОКПП має складатися рівно з 10 цифр"},
    {"rnokpp.sex_mismatch", warning, "the sex encoded in the РНОКПП differs from the record's sex",
     "стать, закладена в РНОКПП, не збігається зі статтю в картці"},
    {"special_needs.support_level", error, "the support level is a whole number from 1 to 5",
     "рівень підтримки — ціле число від 1 до 5"},
    {"unzr.birth_date_mismatch", warning,
     "the date in the УНЗР differs from the record's birth date",
     "дата в УНЗР не збігається з датою народження в картці"},
    {"unzr.check_digit", warning,
     "the УНЗР check digit does not match by the usual method (not confirmed for УНЗР, so only a "
     "warning)",
     "контрольна цифра УНЗР не збігається за звичайним методом (метод не підтверджено, тому це "
     "лише попередження)"},
    {"unzr.format", error, "a УНЗР looks like YYYYMMDD-NNNNC: a real date, a hyphen, 5 digits",
     "УНЗР має вигляд РРРРММДД-NNNNC: реальна дата, дефіс, 5 цифр"},
};

std::string fill(std::string_view text, std::initializer_list<message_arg> args, bool english)
{
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find('{', i);
        if (open == std::string_view::npos) {
            break;
        }
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) {
            break;
        }
        out.append(text.substr(i, open - i));
        const auto name = text.substr(open + 1, close - open - 1);
        const auto arg = std::find_if(args.begin(), args.end(),
                                      [&](const message_arg& a) { return a.name == name; });
        if (arg != args.end()) {
            out.append(english ? arg->en : arg->uk);
        } else {
            out.append(text.substr(open, close - open + 1));
        }
        i = close + 1;
    }
    out.append(text.substr(i));
    return out;
}

} // namespace

std::span<const issue_code_info> issue_codes() noexcept
{
    return codes;
}

const issue_code_info* find_issue_code(std::string_view code) noexcept
{
    for (const auto& c : codes) {
        if (c.code == code) {
            return &c;
        }
    }
    return nullptr;
}

issue make_issue(std::string_view code, std::string pointer,
                 std::initializer_list<message_arg> args, std::optional<std::string> suggestion)
{
    issue i;
    i.pointer = std::move(pointer);
    i.code = std::string(code);
    i.suggestion = std::move(suggestion);
    if (const auto* info = find_issue_code(code)) {
        i.severity = info->severity;
        i.message_en = fill(info->message_en, args, true);
        i.message_uk = fill(info->message_uk, args, false);
    } else {
        i.severity = severity::error;
        i.message_en = "unregistered issue code " + std::string(code);
        i.message_uk = "незареєстрований код " + std::string(code);
    }
    return i;
}

} // namespace aikom::check
