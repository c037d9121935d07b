#include <aikom/protocol/reports.hpp>

#include "protocol/json_util.hpp"

#include <limits>

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

check::readiness_counts read_counts(member_reader& parent, std::string_view key)
{
    check::readiness_counts c;
    const auto* o = parent.object(key);
    if (o == nullptr) {
        return c;
    }
    member_reader r(*o);
    c.children = count(r, "children");
    c.ready = count(r, "ready");
    (void)count(r, "not_ready");
    (void)r.number("percent_ready", 0, 100);
    c.non_ukrainian_document = count(r, "non_ukrainian_document");
    if (const auto* ind = r.object("indicators")) {
        member_reader ir(*ind);
        for (const auto i : indicators) {
            const auto* one = ir.object(check::to_string(i));
            if (one == nullptr) {
                break;
            }
            member_reader nr(*one);
            auto& n = c.indicators[static_cast<std::size_t>(i)];
            n.filled = count(nr, "filled");
            n.missing = count(nr, "missing");
            n.invalid = count(nr, "invalid");
            ir.fail(nr.error());
        }
        r.fail(ir.error());
    }
    if (r.ok() && c.ready > c.children) {
        r.fail(protocol_errc::bad_value);
    }
    parent.fail(r.error());
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

// Reads the array member `key` of `r`, each element an object read by `read`.
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
        out.push_back(read(er));
        if (!er.ok()) {
            r.fail(er.error());
            return {};
        }
    }
    return out;
}

} // namespace

std::string to_json(const completeness_report& r)
{
    return check::render_json(r);
}

boost::system::result<completeness_report> parse_completeness_report(std::string_view text)
{
    auto o = detail::parse_object(text);
    if (!o) {
        return o.error();
    }
    member_reader r(*o);
    if (r.string("format") != "aikom.readiness") {
        r.fail(protocol_errc::bad_value);
    }
    (void)r.uint("version", 1, 1);
    completeness_report rep;
    if (const auto d = date_member(r, *o, "as_of")) {
        rep.as_of = *d;
    }
    rep.deadline = date_member(r, *o, "deadline");
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
        if (const auto* ind = fr.object("indicators")) {
            member_reader ir(*ind);
            for (const auto i : indicators) {
                const auto s = ir.string(check::to_string(i));
                const auto st = state_from_string(s);
                if (!st) {
                    ir.fail(protocol_errc::bad_value);
                    break;
                }
                f.indicators[static_cast<std::size_t>(i)] = *st;
            }
            fr.fail(ir.error());
        }
        f.codes = fr.strings_or_empty("codes");
        if (names) {
            f.name = fr.optional_string("name");
        }
        return f;
    });
    rep.to_fix_total = count(r, "to_fix_total");
    rep.withdrawn = count(r, "withdrawn");
    rep.unreadable = count(r, "unreadable");
    if (!r.ok()) {
        return r.error();
    }
    if (rep.to_fix_total < rep.to_fix.size()) {
        return make_error_code(protocol_errc::bad_value);
    }
    return rep;
}

} // namespace aikom::protocol
