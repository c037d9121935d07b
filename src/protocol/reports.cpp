#include <aikom/protocol/reports.hpp>

#include "protocol/json_util.hpp"

#include <array>
#include <limits>
#include <type_traits>

namespace aikom::protocol {

using detail::member_reader;
namespace json = boost::json;

namespace {

constexpr std::uint64_t count_max = std::numeric_limits<std::size_t>::max();

constexpr check::indicator indicators[] = {check::indicator::document,
                                           check::indicator::displacement,
                                           check::indicator::contact, check::indicator::education};

std::size_t count(member_reader& r, std::string_view key)
{
    return static_cast<std::size_t>(r.uint(key, 0, count_max));
}

// `YYYY-MM-DD` or null (a date that was not set).
std::optional<model::date> date_member(member_reader& r, const json::object& o,
                                       std::string_view key)
{
    const auto s = r.optional_string(key);
    if (!s) {
        if (o.if_contains(key) == nullptr) {
            r.fail(protocol_errc::missing_field);
        }
        return std::nullopt;
    }
    const auto d = model::parse_iso_date(*s);
    if (!d) {
        r.fail(protocol_errc::bad_value);
    }
    return d;
}

// Reads the required object member `key` of `parent` with `read(reader)`; the first problem
// inside it becomes the parent's.
template <class Read>
void read_object(member_reader& parent, std::string_view key, Read&& read)
{
    if (const auto* o = parent.object(key)) {
        member_reader r(*o);
        read(r);
        parent.fail(r.error());
    }
}

check::readiness_counts read_counts(member_reader& parent, std::string_view key)
{
    check::readiness_counts c;
    read_object(parent, key, [&](member_reader& r) {
        c.children = count(r, "children");
        c.ready = count(r, "ready");
        (void)count(r, "not_ready");
        (void)r.number("percent_ready", 0, 100);
        c.non_ukrainian_document = count(r, "non_ukrainian_document");
        read_object(r, "indicators", [&](member_reader& ir) {
            for (const auto i : indicators) {
                read_object(ir, check::to_string(i), [&](member_reader& nr) {
                    auto& n = c.indicators[static_cast<std::size_t>(i)];
                    n.filled = count(nr, "filled");
                    n.missing = count(nr, "missing");
                    n.invalid = count(nr, "invalid");
                });
            }
        });
        if (r.ok() && c.ready > c.children) {
            r.fail(protocol_errc::bad_value);
        }
    });
    return c;
}

std::optional<check::indicator_state> state_from_string(std::string_view s) noexcept
{
    for (const auto st : {check::indicator_state::filled, check::indicator_state::missing,
                          check::indicator_state::invalid}) {
        if (check::to_string(st) == s) {
            return st;
        }
    }
    return std::nullopt;
}

// Reads the array member `key` of `r`, each element an object read by `read(reader)` or, when
// it needs the object itself, `read(reader, object)`.
template <class T, class Read>
std::vector<T> objects(member_reader& r, std::string_view key, Read&& read)
{
    std::vector<T> out;
    const auto* a = r.array(key);
    if (a == nullptr) {
        return out;
    }
    out.reserve(a->size());
    for (const auto& v : *a) {
        if (!v.is_object()) {
            r.fail(protocol_errc::bad_value);
            return {};
        }
        member_reader er(v.get_object());
        if constexpr (std::is_invocable_v<Read&, member_reader&, const json::object&>) {
            out.push_back(read(er, v.get_object()));
        } else {
            out.push_back(read(er));
        }
        if (!er.ok()) {
            r.fail(er.error());
            return {};
        }
    }
    return out;
}

// Reads the JSON object `text` as a report of `format`, version 1: checks those two members,
// then `read(reader, object)` reads the rest into the report it returns. The first problem
// found is the result.
template <class Read>
auto read_report(std::string_view text, std::string_view format, Read read)
    -> boost::system::result<std::invoke_result_t<Read&, member_reader&, const json::object&>>
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    if (r.string("format") != format) {
        r.fail(protocol_errc::bad_value);
    }
    (void)r.uint("version", 1, 1);
    auto report = read(r, *o);
    if (!r.ok()) {
        return r.error();
    }
    return report;
}

// A required date (null is missing_field).
model::date required_date(member_reader& r, const json::object& o, std::string_view key)
{
    const auto d = date_member(r, o, key);
    if (!d && r.ok()) {
        r.fail(protocol_errc::missing_field);
    }
    return d.value_or(model::date{});
}

// ---- progress ---------------------------------------------------------------------------------

// Days ascending, within [from, to], each with ready ≤ active ≤ records.
std::vector<check::progress_day> read_days(member_reader& r, model::date from, model::date to)
{
    auto days = objects<check::progress_day>(r, "days", [](auto& dr, const json::object& o) {
        check::progress_day d;
        d.date = required_date(dr, o, "date");
        d.records = count(dr, "records");
        d.active = count(dr, "active");
        d.ready = count(dr, "ready");
        if (dr.ok() && !(d.ready <= d.active && d.active <= d.records)) {
            dr.fail(protocol_errc::bad_value);
        }
        return d;
    });
    for (std::size_t i = 0; i < days.size(); ++i) {
        const bool ordered = i == 0 || days[i - 1].date < days[i].date;
        if (!ordered || days[i].date < from || days[i].date > to) {
            r.fail(protocol_errc::bad_value);
            return {};
        }
    }
    return days;
}

// `true`, `false` or null; absent is missing_field.
std::optional<bool> nullable_boolean(member_reader& r, const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
        r.fail(protocol_errc::missing_field);
        return std::nullopt;
    }
    if (v->is_null()) {
        return std::nullopt;
    }
    return r.boolean(key);
}

// ---- form 85-К --------------------------------------------------------------------------------

// The sum of `counts`; nullopt when it does not fit (a report that cannot add up).
template <std::size_t N>
std::optional<std::size_t> sum_of(const std::array<std::size_t, N>& counts)
{
    std::size_t total = 0;
    for (const std::size_t n : counts) {
        if (n > std::numeric_limits<std::size_t>::max() - total) {
            return std::nullopt;
        }
        total += n;
    }
    return total;
}

// Every figure of children shares out `children`; the groups are counted apart.
bool adds_up(const check::form85k_counts& c)
{
    using slot = check::special_needs_slot;
    const auto needs = [&](slot s) { return c.special_needs[static_cast<std::size_t>(s)]; };
    const auto in_groups =
        sum_of(std::array{needs(slot::in_inclusive_groups), needs(slot::in_special_groups)});
    return sum_of(c.by_age) == c.children && sum_of(c.by_sex) == c.children &&
           sum_of(c.by_group_kind) == c.children && sum_of(c.by_education_form) == c.children &&
           sum_of(c.by_displacement) == c.children &&
           sum_of(std::array{needs(slot::with), needs(slot::without), needs(slot::unknown)}) ==
               c.children &&
           in_groups && *in_groups <= needs(slot::with) && c.children_without_group <= c.children;
}

check::form85k_counts read_form85k_counts(member_reader& parent, std::string_view key)
{
    check::form85k_counts c;
    read_object(parent, key, [&](member_reader& r) {
        c.children = count(r, "children");
        check::for_each_figure(c, [&](std::string_view name, auto columns, auto& row) {
            read_object(r, name, [&](member_reader& fr) {
                for (std::size_t i = 0; i < row.size(); ++i) {
                    row[i] = count(fr, columns[i]);
                }
            });
        });
        c.children_without_group = count(r, "children_without_group");
        if (r.ok() && !adds_up(c)) {
            r.fail(protocol_errc::bad_value);
        }
    });
    return c;
}

// ---- the three reports ------------------------------------------------------------------------

completeness_report read_readiness(member_reader& r, const json::object& o)
{
    completeness_report rep;
    if (const auto d = date_member(r, o, "as_of")) {
        rep.as_of = *d;
    }
    rep.deadline = date_member(r, o, "deadline");
    rep.total = read_counts(r, "totals");
    rep.institutions = objects<check::institution_readiness>(r, "institutions", [](auto& ir) {
        check::institution_readiness inst;
        inst.edrpou = ir.string("edrpou");
        inst.counts = read_counts(ir, "counts");
        inst.groups = objects<check::group_readiness>(ir, "groups", [](auto& gr) {
            check::group_readiness g;
            g.id = gr.string("id");
            g.name = gr.string("name");
            g.counts = read_counts(gr, "counts");
            return g;
        });
        return inst;
    });
    rep.names_included = r.boolean("names_included");
    const bool names = rep.names_included;
    rep.to_fix = objects<check::record_to_fix>(r, "to_fix", [names](auto& fr) {
        check::record_to_fix f;
        f.id = fr.string("id");
        f.institution = fr.string("institution");
        f.group = fr.string("group");
        f.position = fr.string("position");
        read_object(fr, "indicators", [&](member_reader& ir) {
            for (const auto i : indicators) {
                const auto st = state_from_string(ir.string(check::to_string(i)));
                if (!st) {
                    ir.fail(protocol_errc::bad_value);
                    break;
                }
                f.indicators[static_cast<std::size_t>(i)] = *st;
            }
        });
        f.codes = fr.strings_or_empty("codes");
        if (names) {
            f.name = fr.optional_string("name");
        }
        return f;
    });
    rep.to_fix_total = count(r, "to_fix_total");
    rep.withdrawn = count(r, "withdrawn");
    rep.unreadable = count(r, "unreadable");
    if (r.ok() && rep.to_fix_total < rep.to_fix.size()) {
        r.fail(protocol_errc::bad_value);
    }
    return rep;
}

progress_report read_progress(member_reader& r, const json::object& o)
{
    progress_report rep;
    rep.from = required_date(r, o, "from");
    rep.to = required_date(r, o, "to");
    rep.deadline = date_member(r, o, "deadline");
    if (r.ok() && rep.to < rep.from) {
        r.fail(protocol_errc::bad_value);
    }
    const auto from = rep.from;
    const auto to = rep.to;
    rep.institutions = objects<check::institution_progress>(
        r, "institutions", [&](auto& ir, const json::object& io) {
            check::institution_progress inst;
            inst.edrpou = ir.string("institution");
            inst.days = read_days(ir, from, to);
            inst.on_track = nullable_boolean(ir, io, "on_track");
            return inst;
        });
    read_object(r, "total", [&](member_reader& tr) { rep.total = read_days(tr, from, to); });
    return rep;
}

form85k_report read_form85k(member_reader& r, const json::object& o)
{
    form85k_report rep;
    rep.as_of = required_date(r, o, "as_of");
    rep.total = read_form85k_counts(r, "total");
    rep.institutions = objects<check::institution_form85k>(r, "institutions", [](auto& ir) {
        check::institution_form85k inst;
        inst.edrpou = ir.string("institution");
        inst.counts = read_form85k_counts(ir, "counts");
        return inst;
    });
    rep.withdrawn = count(r, "withdrawn");
    rep.not_yet_enrolled = count(r, "not_yet_enrolled");
    rep.unreadable = count(r, "unreadable");
    return rep;
}

} // namespace

std::string to_json(const completeness_report& r)
{
    return check::render_json(r);
}

boost::system::result<completeness_report> parse_completeness_report(std::string_view text)
{
    return read_report(text, "aikom.readiness", read_readiness);
}

std::string to_json(const progress_report& r)
{
    return check::render_json(r);
}

boost::system::result<progress_report> parse_progress_report(std::string_view text)
{
    return read_report(text, "aikom.progress", read_progress);
}

std::string to_json(const form85k_report& r)
{
    return check::render_json(r);
}

boost::system::result<form85k_report> parse_form85k_report(std::string_view text)
{
    return read_report(text, "aikom.form-85k", read_form85k);
}

} // namespace aikom::protocol
