// The authority's reports: readiness today (completeness), readiness by day (progress) and the
// figures of form 85-К. Counts only: no personal data leaves here.
#include "sandbox/handlers.hpp"

#include <aikom/check/readiness.hpp>
#include <aikom/codec/reader.hpp>
#include <aikom/protocol/reports.hpp>

namespace aikom::sandbox::detail {
namespace {

// The institutions a report covers: the one named (within reach), else the caller's scope.
std::vector<std::string> report_institutions(const call& c)
{
    if (const auto one = c.param("institution")) {
        c.require_institution(*one);
        return {std::string(*one)};
    }
    if (c.who.unrestricted()) {
        return c.store().read([](storage::transaction& tx) { return tx.institutions(); });
    }
    return {c.who.institutions.begin(), c.who.institutions.end()};
}

} // namespace

response completeness_report(call& c)
{
    check::readiness_options ro;
    ro.as_of = c.date_param("as_of").value_or(today());
    ro.deadline = c.date_param("deadline");
    const auto institutions = report_institutions(c);
    check::readiness_builder builder(ro);
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
        fail(problem_kind::malformed_request, "from must not be after to, nor to after today");
    }
    if (sys_days(to) - sys_days(from) >= days(366)) {
        fail(problem_kind::malformed_request, "the report covers at most 366 days");
    }
    const auto institutions = report_institutions(c);
    const auto counts = c.store().read([&](storage::transaction& tx) {
        return tx.progress(institutions, sys_days(from), sys_days(to));
    });
    // TODO(merge): the records layer's progress report type and renderers.
    (void)counts;
    (void)deadline;
    fail(problem_kind::not_found, "not built yet");
}

response form85k_report(call& c)
{
    (void)c;
    fail(problem_kind::not_found, "not built yet");
}

} // namespace aikom::sandbox::detail
