#ifndef AIKOM_CLIENT_SESSION_HPP
#define AIKOM_CLIENT_SESSION_HPP

/// @file
/// `aikom::client::session`: the async HTTPS client of protocol v1. One session talks to one
/// server for one client id: a bounded pool of keep-alive TLS connections, an OAuth2 token shared
/// by every call, retries with backoff, deadlines and cancellation.
///
/// Every `async_x(…, token)` follows Asio's universal asynchronous model: the completion token
/// may be a callback, `boost::asio::use_future`, `boost::asio::use_awaitable`,
/// `boost::asio::deferred` or any other token. The handler signature is
/// `void(boost::system::error_code, T)` (`void(error_code)` for `async_delete` and
/// `async_revoke_grant`). Operations never
/// complete inline: the handler runs through its associated executor (by default the session's).
/// The arguments are copied (records are encoded) before the initiating function returns.
///
/// Errors: see error.hpp. Pass `call_options{.diag = &d}` to learn our message, the server's
/// problem details and the request id.
///
/// Cancellation: every operation supports terminal cancellation through the handler's associated
/// cancellation slot (`boost::asio::bind_cancellation_slot`, or a coroutine's cancellation). The
/// connection in use is then closed, never returned to the pool, and the operation completes
/// with `boost::asio::error::operation_aborted`. A deadline (`call_options::timeout`) completes
/// with `client_errc::timeout` the same way.
///
/// Thread safety: a session may be used from several threads at once; its state lives on an
/// internal strand; `stats()` may be read from any thread. The cursor objects (`child_pages`,
/// `correction_pages`, `change_feed`) are not thread-safe: one `async_next` at a time per object. Destroying the
/// session closes its idle connections; operations in progress keep the internals alive and
/// complete (with `client_errc::session_closed` if they would need another connection). The
/// execution context must outlive every operation.
///
/// GCC 12 destroys a temporary twice when it is an argument inside a `co_await` expression:
/// write `const call_options opts{…};` and pass `opts`, not `call_options{…}` in place.

#include <aikom/client/diagnostics.hpp>
#include <aikom/client/error.hpp>
#include <aikom/client/options.hpp>
#include <aikom/protocol/requests.hpp>
#include <aikom/protocol/responses.hpp>
#include <aikom/protocol/types.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace aikom::client {

namespace asio = boost::asio;
using boost::system::error_code;

/// Counters since the session was made (for tests, benchmarks and monitoring).
struct session_stats {
    std::uint64_t requests = 0; ///< HTTP requests written, retries and token requests included
    std::uint64_t connections_opened = 0; ///< TCP connections established
    std::uint64_t handshakes = 0;         ///< TLS handshakes completed
    std::uint64_t resumed_handshakes = 0; ///< of which resumed a TLS session
    std::uint64_t retries = 0;            ///< attempts after the first, for any reason
    std::uint64_t token_requests = 0;     ///< requests to the token endpoint
};

class session;

namespace detail {
class session_impl;
class connector;
struct page_state;
session make_session(asio::any_io_executor ex, client_options options,
                     std::shared_ptr<connector> transport);

template <class T>
using handler = asio::any_completion_handler<void(error_code, T)>;
template <class T>
using reader = protocol::response_result<T> (*)(const protocol::http_response&);

template <class T>
void run(const std::shared_ptr<session_impl>& impl, protocol::request_spec spec, call_options opts,
         reader<T> read, handler<T> h);
void run_void(const std::shared_ptr<session_impl>& impl, protocol::request_spec spec,
              call_options opts, asio::any_completion_handler<void(error_code)> h);
template <class Page>
void run_page(const std::shared_ptr<session_impl>& impl, const std::shared_ptr<page_state>& state,
              call_options opts, handler<Page> h);
} // namespace detail

/// Pages of a list read one `async_next` at a time (nothing is held beyond the current page):
/// `child_pages` (one institution's children, made by `session::list_children`) and
/// `correction_pages` (correction requests, made by `session::list_corrections`).
template <class Page>
class pages;
using child_pages = pages<protocol::child_page>;
using correction_pages = pages<protocol::correction_page>;

/// The change feed of the caller's scope from a cursor. Made by `session::changes`.
class change_feed;

class session {
public:
    using executor_type = asio::any_io_executor;

    /// Builds its own TLS context from `options.tls` (TLS 1.2+, peer and host-name verification,
    /// SNI). Throws `boost::system::system_error` with `client_errc::invalid_options` and a
    /// message when the options cannot work (base URL, CA file, pool size).
    session(executor_type ex, client_options options);

    /// Uses the caller's TLS context, which must outlive the session. Peer and host-name
    /// verification are still switched on per connection unless `insecure_skip_verification`.
    session(executor_type ex, asio::ssl::context& tls, client_options options);

    ~session();
    session(session&&) noexcept;
    session& operator=(session&&) noexcept;
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    [[nodiscard]] executor_type get_executor() const noexcept;
    [[nodiscard]] session_stats stats() const noexcept;
    [[nodiscard]] const client_options& options() const noexcept;

    // ---- discovery -------------------------------------------------------------------------

    /// `GET /v1`: protocol version, limits, retention. Needs no credentials.
    template <class Token>
    auto async_discover(Token&& token)
    {
        return async_discover(call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_discover(const call_options& opts, Token&& token)
    {
        return initiate<protocol::discovery>(protocol::discovery_request(), opts,
                                             &protocol::read_discovery, std::forward<Token>(token));
    }

    // ---- records ---------------------------------------------------------------------------

    /// `PUT …/children/{record.id}`: creates or replaces the record (201/200). Handler:
    /// `void(error_code, protocol::write_result)`; a record the server refuses is
    /// `problem_kind::validation_failed` with every error in `diag.problem->errors`.
    template <class Token>
    auto async_upsert(std::string_view institution, const model::child& record, Token&& token)
    {
        return async_upsert(institution, record, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_upsert(std::string_view institution, const model::child& record,
                      const call_options& opts, Token&& token)
    {
        return initiate<protocol::write_result>(protocol::upsert_request(institution, record), opts,
                                                &protocol::read_write, std::forward<Token>(token));
    }

    /// `GET …/children/{id}`. Handler: `void(error_code, protocol::fetched_child)`.
    template <class Token>
    auto async_get(std::string_view institution, std::string_view id, Token&& token)
    {
        return async_get(institution, id, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_get(std::string_view institution, std::string_view id, const call_options& opts,
                   Token&& token)
    {
        return initiate<protocol::fetched_child>(protocol::get_child_request(institution, id), opts,
                                                 &protocol::read_child, std::forward<Token>(token));
    }

    /// `DELETE …/children/{id}` (records entered by mistake only). Handler: `void(error_code)`.
    template <class Token>
    auto async_delete(std::string_view institution, std::string_view id, Token&& token)
    {
        return async_delete(institution, id, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_delete(std::string_view institution, std::string_view id, const call_options& opts,
                      Token&& token)
    {
        return initiate_void(protocol::delete_child_request(institution, id), opts,
                             std::forward<Token>(token));
    }

    /// `POST …/children/{id}/withdrawal`: the child has left. Handler:
    /// `void(error_code, protocol::write_result)`.
    template <class Token>
    auto async_withdraw(std::string_view institution, std::string_view id,
                        const protocol::withdrawal& body, Token&& token)
    {
        return async_withdraw(institution, id, body, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_withdraw(std::string_view institution, std::string_view id,
                        const protocol::withdrawal& body, const call_options& opts, Token&& token)
    {
        return initiate<protocol::write_result>(protocol::withdrawal_request(institution, id, body),
                                                opts, &protocol::read_write,
                                                std::forward<Token>(token));
    }

    /// The children of `institution`, `page_size` per page (0: the server's default).
    [[nodiscard]] child_pages list_children(std::string_view institution,
                                            std::size_t page_size = 0);

    /// `POST /v1/batches`: up to `limits.max_batch_items` records, each with its `institution`.
    /// Retried with one idempotency key, so a lost response never writes twice. Handler:
    /// `void(error_code, protocol::batch_result)` with one result per record.
    template <class Token>
    auto async_submit_batch(const std::vector<model::child>& records, Token&& token)
    {
        return async_submit_batch(records, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_submit_batch(const std::vector<model::child>& records, const call_options& opts,
                            Token&& token)
    {
        return initiate<protocol::batch_result>(protocol::batch_request(records), opts,
                                                &protocol::read_batch, std::forward<Token>(token));
    }

    /// The change feed from `cursor` (empty: from the oldest retained event), `limit` events a
    /// page (0: the server's default). `institutions` narrows it to those institutions (each
    /// within the caller's scope, else the server answers 403); none: the caller's whole scope.
    [[nodiscard]] change_feed changes(std::string cursor = {}, std::size_t limit = 0,
                                      std::vector<std::string> institutions = {});

    /// `POST /v1/validate`: a dry run. Handler: `void(error_code, protocol::validation_result)`.
    template <class Token>
    auto async_validate(const model::child& record, check::profile profile, Token&& token)
    {
        return async_validate(record, profile, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_validate(const model::child& record, check::profile profile,
                        const call_options& opts, Token&& token)
    {
        return initiate<protocol::validation_result>(protocol::validate_request(record, profile),
                                                     opts, &protocol::read_validation,
                                                     std::forward<Token>(token));
    }

    // ---- correction requests ---------------------------------------------------------------

    /// `POST /v1/correction-requests`. Handler: `void(error_code, protocol::correction_request)`.
    template <class Token>
    auto async_create_correction(const protocol::correction_draft& draft, Token&& token)
    {
        return async_create_correction(draft, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_create_correction(const protocol::correction_draft& draft, const call_options& opts,
                                 Token&& token)
    {
        return initiate<protocol::correction_request>(protocol::create_correction_request(draft),
                                                      opts, &protocol::read_correction,
                                                      std::forward<Token>(token));
    }

    /// `GET /v1/correction-requests`: the first page (the server's default size). Handler:
    /// `void(error_code, protocol::correction_page)`. `list_corrections` walks every page.
    template <class Token>
    auto async_list_corrections(std::optional<protocol::correction_status> status,
                                std::string_view institution, Token&& token)
    {
        return async_list_corrections(status, institution, call_options{},
                                      std::forward<Token>(token));
    }

    template <class Token>
    auto async_list_corrections(std::optional<protocol::correction_status> status,
                                std::string_view institution, const call_options& opts,
                                Token&& token)
    {
        return initiate<protocol::correction_page>(
            protocol::corrections_request(status, institution), opts, &protocol::read_corrections,
            std::forward<Token>(token));
    }

    /// The correction requests with `status` (nullopt: any) of `institution` (empty: every
    /// institution in the caller's scope), oldest first, `page_size` per page (0: the server's
    /// default).
    [[nodiscard]] correction_pages
    list_corrections(std::optional<protocol::correction_status> status = std::nullopt,
                     std::string_view institution = {}, std::size_t page_size = 0);

    /// `GET /v1/correction-requests/{id}` (with the record and its history).
    template <class Token>
    auto async_get_correction(std::string_view id, Token&& token)
    {
        return async_get_correction(id, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_get_correction(std::string_view id, const call_options& opts, Token&& token)
    {
        return initiate<protocol::correction_request>(protocol::get_correction_request(id), opts,
                                                      &protocol::read_correction,
                                                      std::forward<Token>(token));
    }

    /// `POST /v1/correction-requests/{id}/apply` (reviewers). Handler:
    /// `void(error_code, protocol::correction_request)`: the applied request, whose `etag` is
    /// the stored record's. A record changed since the request was made is
    /// `problem_kind::conflict` (review it again); the request stays pending.
    template <class Token>
    auto async_apply_correction(std::string_view id, const protocol::review& body, Token&& token)
    {
        return async_apply_correction(id, body, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_apply_correction(std::string_view id, const protocol::review& body,
                                const call_options& opts, Token&& token)
    {
        return initiate<protocol::correction_request>(protocol::review_request(id, true, body),
                                                      opts, &protocol::read_correction,
                                                      std::forward<Token>(token));
    }

    /// `POST /v1/correction-requests/{id}/reject` (reviewers; the note is required). Handler:
    /// `void(error_code, protocol::correction_request)`: the rejected request.
    template <class Token>
    auto async_reject_correction(std::string_view id, const protocol::review& body, Token&& token)
    {
        return async_reject_correction(id, body, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_reject_correction(std::string_view id, const protocol::review& body,
                                 const call_options& opts, Token&& token)
    {
        return initiate<protocol::correction_request>(protocol::review_request(id, false, body),
                                                      opts, &protocol::read_correction,
                                                      std::forward<Token>(token));
    }

    // ---- reports ---------------------------------------------------------------------------

    /// `GET /v1/reports/completeness`: the four indicators for the caller's scope (or one
    /// institution). Handler: `void(error_code, protocol::completeness_report)`.
    template <class Token>
    auto async_completeness_report(std::string_view institution, std::optional<model::date> as_of,
                                   std::optional<model::date> deadline, Token&& token)
    {
        return async_completeness_report(institution, as_of, deadline, call_options{},
                                         std::forward<Token>(token));
    }

    template <class Token>
    auto async_completeness_report(std::string_view institution, std::optional<model::date> as_of,
                                   std::optional<model::date> deadline, const call_options& opts,
                                   Token&& token)
    {
        return initiate<protocol::completeness_report>(
            protocol::completeness_request(institution, as_of, deadline), opts,
            &protocol::read_completeness, std::forward<Token>(token));
    }

    /// `GET /v1/reports/progress` (v1.1): per institution and day, the records, the active
    /// children and those ready on the four indicators, and whether each institution is on
    /// track for `query.deadline`. Handler: `void(error_code, check::progress_report)`. A
    /// period the server refuses (from after to, over 366 days, in the future) is
    /// `problem_kind::malformed_request`; an institution out of scope `problem_kind::forbidden`.
    template <class Token>
    auto async_progress_report(const protocol::progress_query& query, Token&& token)
    {
        return async_progress_report(query, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_progress_report(const protocol::progress_query& query, const call_options& opts,
                               Token&& token)
    {
        return initiate<check::progress_report>(protocol::progress_request(query), opts,
                                                &protocol::read_progress_report,
                                                std::forward<Token>(token));
    }

    /// `GET /v1/reports/form-85k` (v1.1): the figures of form 85-К the record model answers,
    /// per institution and in total, as of `query.as_of`. Handler:
    /// `void(error_code, check::form85k_report)`.
    template <class Token>
    auto async_form85k_report(const protocol::form85k_query& query, Token&& token)
    {
        return async_form85k_report(query, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_form85k_report(const protocol::form85k_query& query, const call_options& opts,
                              Token&& token)
    {
        return initiate<check::form85k_report>(protocol::form85k_request(query), opts,
                                               &protocol::read_form85k_report,
                                               std::forward<Token>(token));
    }

    // ---- grants (v1.1: scope `grants:write`; an authority within its territory) ----------

    /// `GET /v1/institutions/{institution}/grants`: who may act for the institution, sorted by
    /// client id. Handler: `void(error_code, protocol::grant_list)`. An institution outside
    /// the caller's territory is `problem_kind::forbidden`.
    template <class Token>
    auto async_list_grants(std::string_view institution, Token&& token)
    {
        return async_list_grants(institution, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_list_grants(std::string_view institution, const call_options& opts, Token&& token)
    {
        return initiate<protocol::grant_list>(protocol::grants_request(institution), opts,
                                              &protocol::read_grants, std::forward<Token>(token));
    }

    /// `GET …/grants/{client_id}`. Handler: `void(error_code, protocol::grant)`; no such
    /// grant is `problem_kind::not_found`.
    template <class Token>
    auto async_get_grant(std::string_view institution, std::string_view client_id, Token&& token)
    {
        return async_get_grant(institution, client_id, call_options{},
                               std::forward<Token>(token));
    }

    template <class Token>
    auto async_get_grant(std::string_view institution, std::string_view client_id,
                         const call_options& opts, Token&& token)
    {
        return initiate<protocol::grant>(protocol::get_grant_request(institution, client_id), opts,
                                         &protocol::read_grant, std::forward<Token>(token));
    }

    /// `PUT …/grants/{client_id}`: lets the client (of role institution or platform) act for
    /// the institution, or replaces the note of its grant. Idempotent, so retried like any PUT.
    /// Handler: `void(error_code, protocol::grant)`. An unknown client is
    /// `problem_kind::not_found`, a client of another role `problem_kind::conflict`.
    template <class Token>
    auto async_put_grant(std::string_view institution, std::string_view client_id,
                         const protocol::grant_request& body, Token&& token)
    {
        return async_put_grant(institution, client_id, body, call_options{},
                               std::forward<Token>(token));
    }

    template <class Token>
    auto async_put_grant(std::string_view institution, std::string_view client_id,
                         const protocol::grant_request& body, const call_options& opts,
                         Token&& token)
    {
        return initiate<protocol::grant>(protocol::put_grant_request(institution, client_id, body),
                                         opts, &protocol::read_grant, std::forward<Token>(token));
    }

    /// `DELETE …/grants/{client_id}`: revokes the grant; the client's very next request is
    /// refused, whatever token it holds. Handler: `void(error_code)`; no such grant is
    /// `problem_kind::not_found`.
    template <class Token>
    auto async_revoke_grant(std::string_view institution, std::string_view client_id,
                            Token&& token)
    {
        return async_revoke_grant(institution, client_id, call_options{},
                                  std::forward<Token>(token));
    }

    template <class Token>
    auto async_revoke_grant(std::string_view institution, std::string_view client_id,
                            const call_options& opts, Token&& token)
    {
        return initiate_void(protocol::revoke_grant_request(institution, client_id), opts,
                             std::forward<Token>(token));
    }

    /// `GET /v1/institutions/{institution}/grant-history`: every grant, update and revocation,
    /// oldest first (the newest 1000). Handler: `void(error_code, protocol::grant_history)`.
    template <class Token>
    auto async_grant_history(std::string_view institution, Token&& token)
    {
        return async_grant_history(institution, call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_grant_history(std::string_view institution, const call_options& opts,
                             Token&& token)
    {
        return initiate<protocol::grant_history>(protocol::grant_history_request(institution),
                                                 opts, &protocol::read_grant_history,
                                                 std::forward<Token>(token));
    }

    // ---- the contract ------------------------------------------------------------------------

    /// `GET /v1/openapi.json`: the server's OpenAPI 3.1 document, as sent. Needs no
    /// credentials. Handler: `void(error_code, std::string)`.
    template <class Token>
    auto async_openapi(Token&& token)
    {
        return async_openapi(call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_openapi(const call_options& opts, Token&& token)
    {
        return initiate<std::string>(protocol::openapi_request(), opts, &protocol::read_openapi,
                                     std::forward<Token>(token));
    }

    // ---- any request --------------------------------------------------------------------

    /// Any request, e.g. of an endpoint newer than this library, through the same pool, token
    /// (when `spec.authenticated`) and retry policy. Completes with the response as it is,
    /// whatever its status: read it with the functions of protocol/responses.hpp. Handler:
    /// `void(error_code, protocol::http_response)`; errors are transport errors only.
    template <class Token>
    auto async_send(protocol::request_spec spec, Token&& token)
    {
        return async_send(std::move(spec), call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_send(protocol::request_spec spec, const call_options& opts, Token&& token)
    {
        return initiate<protocol::http_response>(std::move(spec), opts, &protocol::read_any,
                                                 std::forward<Token>(token));
    }

private:
    template <class Page>
    friend class pages;
    friend class change_feed;
    friend session detail::make_session(asio::any_io_executor, client_options,
                                        std::shared_ptr<detail::connector>);
    explicit session(std::shared_ptr<detail::session_impl> impl);

    template <class T, class Token>
    auto initiate(protocol::request_spec spec, const call_options& opts, detail::reader<T> read,
                  Token&& token)
    {
        return asio::async_initiate<Token, void(error_code, T)>(
            [impl = impl_](auto handler, protocol::request_spec s, call_options o,
                           detail::reader<T> r) {
                detail::run<T>(impl, std::move(s), std::move(o), r, std::move(handler));
            },
            token, std::move(spec), opts, read);
    }

    template <class Token>
    auto initiate_void(protocol::request_spec spec, const call_options& opts, Token&& token)
    {
        return asio::async_initiate<Token, void(error_code)>(
            [impl = impl_](auto handler, protocol::request_spec s, call_options o) {
                detail::run_void(impl, std::move(s), std::move(o), std::move(handler));
            },
            token, std::move(spec), opts);
    }

    std::shared_ptr<detail::session_impl> impl_;
};

template <class Page>
class pages {
public:
    /// The next page. Handler: `void(error_code, Page)`. After the last page (`done()`),
    /// another call starts again from the first page. On error the position stays.
    template <class Token>
    auto async_next(Token&& token)
    {
        return async_next(call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_next(const call_options& opts, Token&& token)
    {
        return asio::async_initiate<Token, void(error_code, Page)>(
            [impl = impl_, state = state_](auto handler, call_options o) {
                detail::run_page<Page>(impl, state, std::move(o), std::move(handler));
            },
            token, opts);
    }

    /// True once the last page was read.
    [[nodiscard]] bool done() const noexcept;

    /// The cursor of the next page (empty: the first).
    [[nodiscard]] const std::string& cursor() const noexcept;

private:
    friend class session;
    pages(std::shared_ptr<detail::session_impl> impl, std::shared_ptr<detail::page_state> s);
    std::shared_ptr<detail::session_impl> impl_;
    std::shared_ptr<detail::page_state> state_;
};

extern template class pages<protocol::child_page>;
extern template class pages<protocol::correction_page>;

class change_feed {
public:
    /// The next page of events from `cursor()`. Handler: `void(error_code,
    /// protocol::change_page)`. A cursor older than the server's retention, of another database
    /// (epoch), of an earlier format or ahead of the feed completes with
    /// `protocol::problem_kind::resync_required`: start again from an empty cursor after a full
    /// read. On success, `cursor()` moves to the page's `next_cursor`; on error it stays.
    template <class Token>
    auto async_next(Token&& token)
    {
        return async_next(call_options{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_next(const call_options& opts, Token&& token)
    {
        return asio::async_initiate<Token, void(error_code, protocol::change_page)>(
            [impl = impl_, state = state_](auto handler, call_options o) {
                detail::run_page<protocol::change_page>(impl, state, std::move(o),
                                                        std::move(handler));
            },
            token, opts);
    }

    /// Where the next `async_next` reads from: save it to resume later.
    [[nodiscard]] const std::string& cursor() const noexcept;

    /// True when the last page said `has_more: false` (poll again later for new events).
    [[nodiscard]] bool drained() const noexcept;

private:
    friend class session;
    change_feed(std::shared_ptr<detail::session_impl> impl, std::shared_ptr<detail::page_state> s);
    std::shared_ptr<detail::session_impl> impl_;
    std::shared_ptr<detail::page_state> state_;
};

} // namespace aikom::client

#endif
