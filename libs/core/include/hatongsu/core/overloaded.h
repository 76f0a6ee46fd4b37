// Lambdas as one visitor for std::visit:
//   std::visit(core::Overloaded{[](const A&) { ... }, [](const B&) { ... }}, variant);
#pragma once

namespace hatongsu::core {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace hatongsu::core
