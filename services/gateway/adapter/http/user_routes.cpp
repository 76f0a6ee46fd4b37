// /user/me and /user/all (spec/api.md 1.9.6-1.9.7; /user/all is admin-only, weak point 3).
#include "services/gateway/adapter/http/routes.h"
#include "services/gateway/adapter/http/validation.h"

namespace hatongsu::gateway::http {

void AddUserRoutes(net::Router& router, RouteDeps deps) {
    using net::http::status;
    using net::http::verb;
    router.Add(
        verb::get, "/user/me",
        RequireUser(
            deps.sessions,
            [deps](net::Context& ctx, Principal who) -> boost::asio::awaitable<net::Response> {
                auto account = co_await deps.sessions.CurrentAccount(MetaOf(ctx), who.sub);
                if (!account.ok()) {
                    co_return net::ErrorFromStatus(ctx, account.status());
                }
                co_return net::Json(ctx, status::ok, {{"user", AccountJson(*account)}});
            }));

    router.Add(
        verb::get, "/user/all",
        RequireAdmin(
            deps.sessions,
            [deps](net::Context& ctx, Principal) -> boost::asio::awaitable<net::Response> {
                Validation v;
                AccountQuery query;
                query.page = NumericParam(ctx, "page", 0, v);
                query.limit = NumericParam(ctx, "limit", 0, v);
                auto sort = SortParam(ctx, v, kUserSortFields);
                auto filter = FilterParam(ctx, v);
                if (!sort.ok() || !filter.ok()) {
                    co_return net::ErrorFromStatus(
                        ctx, sort.ok() ? filter.status() : sort.status());
                }
                if (!v.Ok()) {
                    co_return v.Fail(ctx);
                }
                query.sort = std::move(*sort);
                std::tie(query.filter_field, query.filter_value) = std::move(*filter);
                auto page = co_await deps.users.ListAccounts(MetaOf(ctx), std::move(query));
                if (!page.ok()) {
                    co_return net::ErrorFromStatus(ctx, page.status());
                }
                boost::json::array users;
                for (const Account& a : page->users) {
                    users.push_back(AccountJson(a));
                }
                co_return net::Json(
                    ctx, status::ok, {{"users", users}, {"totalCount", page->total_count}});
            }));
}

}  // namespace hatongsu::gateway::http
