// Running blocking work (file and object-store I/O, libpqxx, rabbitmq-c) from a connection
// coroutine without blocking an I/O thread: the function runs on the pool and the coroutine
// resumes on its own executor (its strand) with the result.
//
//   absl::Status s = co_await net::RunBlocking(pool, [&] { return writer.Write(bytes); });
//
// The function may reference the caller's locals: the caller is suspended until it returns.
#pragma once

#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hatongsu::net {

template <typename Fn>
boost::asio::awaitable<std::invoke_result_t<Fn&>> RunBlocking(
    boost::asio::thread_pool& pool, Fn fn) {
    using Result = std::invoke_result_t<Fn&>;
    auto initiate = [&pool, &fn](auto handler) {
        // Keep the caller's io_context alive (counted work) until the result is delivered.
        auto home = boost::asio::prefer(
            boost::asio::get_associated_executor(handler),
            boost::asio::execution::outstanding_work.tracked);
        boost::asio::post(pool, [&fn, handler = std::move(handler), home]() mutable {
            Result result = fn();
            boost::asio::post(
                home, [handler = std::move(handler), result = std::move(result)]() mutable {
                    std::move(handler)(std::move(result));
                });
        });
    };
    Result result =
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(Result)>(
            initiate, boost::asio::use_awaitable);
    co_return result;
}

}  // namespace hatongsu::net
