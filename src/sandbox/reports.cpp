// The authority's reports: readiness today (completeness), readiness by day (progress) and the
// figures of form 85-К. Counts only: no personal data leaves here.
#include "sandbox/handlers.hpp"

#include <aikom/check/readiness.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/check/form85k.hpp>
#include <aikom/check/progress.hpp>
#include <aikom/protocol/reports.hpp>

#include <algorithm>

namespace aikom::sandbox::detail {
namespace {

// The institutions a report covers: the one named (within reach), else the caller's scope.
std::vector<std::string> report_institutions(const call& c)
{
    if (const auto one = c.param("institution")) {
        require_institution_param(*one);
        c.require_institution(*one);
        return {std::string(*one)};
    }
    if (c.who.unrestricted()) {
        return c.store().read([](storage::transaction& tx) { return tx.institutions(); });
    }
    return {c.who.institutions.begin(), c.who.institutions.end()};
}

// Every stored record of `institutions` into a report builder (`add`, `add_unreadable`), from
// one snapshot.
template <class Builder>
void add_records(const call& c, const std::vector<std::string>& institutions, Builder& builder)
{
    c.store().read([&](storage::transaction& tx) {
        tx.for_each_child(institutions, [&](const stored_child& sc) {
            auto r = codec::decode_child(sc.json);
            if (r.ok()) {
                builder.add(*r.record);
            } else {
                builder.add_unreadable();
            }
        });
    });
}

constexpr std::string_view html_type = "text/html; charset=utf-8";

// The quality (0..1000) `accept` gives `type` (`text/html`): its best matching range, exact
// before `text/*` before `*/*`; no Accept at all accepts everything equally.
int quality(std::string_view accept, std::string_view type)
{
    int best = -1;
    int best_q = 0;
    while (!accept.empty()) {
        const auto comma = accept.find(',');
        auto range = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
        int q = 1000;
        const auto semi = range.find(';');
        if (semi != std::string_view::npos) {
            const auto params = range.substr(semi + 1);
            const auto at = params.find("q=");
            if (at != std::string_view::npos) {
                const auto v = params.substr(at + 2);
                q = v.starts_with("1") ? 1000 : 0;
                if (v.starts_with("0.")) {
                    int scale = 100;
                    for (std::size_t i = 2; i < v.size() && i < 5 && v[i] >= '0' && v[i] <= '9'; ++i) {
                        q += (v[i] - '0') * scale;
                        scale /= 10;
                    }
                }
            }
            range = range.substr(0, semi);
        }
        while (!range.empty() && range.front() == ' ') {
            range.remove_prefix(1);
        }
        while (!range.empty() && range.back() == ' ') {
            range.remove_suffix(1);
        }
        const auto slash = type.find('/');
        const int specificity = range == type                                            ? 3
                                : range == std::string(type.substr(0, slash)) + "/*"     ? 2
                                : range == "*/*"                                          ? 1
                                                                                          : 0;
        if (specificity > best) {
            best = specificity;
            best_q = q;
        }
    }
    return best > 0 ? best_q : 0;
}

// Whether the client prefers HTML to JSON (only when it names text/html: JSON by default).
bool wants_html(const request& req)
{
    std::string accept(req[http::field::accept]); // media ranges and q are case-insensitive
    std::transform(accept.begin(), accept.end(), accept.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return accept.find("text/html") != std::string::npos &&
           quality(accept, "text/html") > quality(accept, "application/json");
}

} // namespace

response completeness_report(call& c)
{
    check::readiness_options ro;
    ro.as_of = c.date_param("as_of").value_or(today());
    ro.deadline = c.date_param("deadline");
    const auto institutions = report_institutions(c);
    check::readiness_builder builder(ro);
    add_records(c, institutions, builder);
    return json_reply(c, http::status::ok, protocol::to_json(builder.report()));
}

response progress_report(call& c)
{
    using std::chrono::days;
    using std::chrono::sys_days;
    const auto now = today();
    const auto to = c.date_param("to").value_or(now);
    const auto from = c.date_param("from").value_or(model::date{sys_days(to) - days(29)});
    const auto deadline = c.date_param("deadline");
    if (sys_days(from) > sys_days(to) || sys_days(to) > sys_days(now)) {
        fail(problem_kind::malformed_request,
             "from must not be after to, nor to after today (" + model::to_iso_string(now) + ")",
             {parameter_error("parameter.invalid", sys_days(to) > sys_days(now) ? "to" : "from",
                              "from <= to <= today", "from <= to <= сьогодні")});
    }
    if (sys_days(to) - sys_days(from) >= days(366)) {
        fail(problem_kind::malformed_request, "the report covers at most 366 days",
             {parameter_error("parameter.invalid", "from", "at most 366 days before to",
                              "не більше ніж 366 днів до to")});
    }
    const auto institutions = report_institutions(c);
    const auto counts = c.store().read([&](storage::transaction& tx) {
        return tx.progress(institutions, sys_days(from), sys_days(to));
    });
    check::progress_report report;
    report.from = from;
    report.to = to;
    report.deadline = deadline;
    for (std::size_t k = 0; k < institutions.size(); ++k) {
        check::institution_progress inst;
        inst.edrpou = institutions[k];
        for (std::size_t d = 0; d < counts[k].size(); ++d) {
            const auto& day = counts[k][d];
            inst.days.push_back({model::date{sys_days(from) + days(d)},
                                 static_cast<std::size_t>(day.records),
                                 static_cast<std::size_t>(day.active),
                                 static_cast<std::size_t>(day.ready)});
        }
        inst.on_track = check::on_track(inst.days, deadline);
        report.institutions.push_back(std::move(inst));
    }
    std::sort(report.institutions.begin(), report.institutions.end(),
              [](const auto& x, const auto& y) { return x.edrpou < y.edrpou; });
    report.total = check::total_days(report.institutions);
    if (wants_html(c.req)) {
        return reply(c.req, http::status::ok, html_type, check::render_html(report));
    }
    return json_reply(c, http::status::ok, check::render_json(report));
}

response form85k_report(call& c)
{
    const auto as_of = c.date_param("as_of").value_or(today());
    const auto institutions = report_institutions(c);
    check::form85k_builder builder(as_of);
    add_records(c, institutions, builder);
    const auto report = builder.report();
    if (wants_html(c.req)) {
        return reply(c.req, http::status::ok, html_type, check::render_html(report));
    }
    return json_reply(c, http::status::ok, check::render_json(report));
}

} // namespace aikom::sandbox::detail
