// Every route of the gateway, in the order main registers them (web routes last: they hold the
// catch-all). The OpenAPI consistency test builds its router with this same function.
#include "services/gateway/adapter/http/routes.h"

namespace hatongsu::gateway::http {

void AddGatewayRoutes(
    net::Router& router, RouteDeps deps, UploadDeps& uploads, const WebDeps& web) {
    AddSystemRoutes(router, deps);
    AddAuthRoutes(router, deps);
    AddUserRoutes(router, deps);
    AddAlbumRoutes(router, deps);
    AddUploadRoutes(router, deps, uploads);
    AddWebRoutes(router, web);
}

}  // namespace hatongsu::gateway::http
