// grpc::Status <-> absl::Status. The codes are numerically identical; the message travels as is.
#pragma once

#include <absl/status/status.h>
#include <grpcpp/support/status.h>

namespace hatongsu::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace hatongsu::rpc
