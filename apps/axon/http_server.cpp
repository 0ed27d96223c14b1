// http_server: see http_server.hpp.
#include "apps/axon/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <stdexcept>
#include <strings.h>
#include <thread>
#include <type_traits>

namespace axon::app {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

bool header_name_less::operator()(const std::string& a, const std::string& b) const {
  return ::strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string http_request::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string{} : found->second;
}

namespace {

constexpr std::size_t header_limit = 16 * 1024; // the request line and every header, bytes
constexpr int io_threads = 2;

} // namespace

struct http_server::impl {
  http_server_settings settings;
  quick_handler quick;
  handler handle;
  refusal_observer refused;
  std::optional<net::ssl::context> tls;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> bodies{0}; // requests with a body, from its first byte to the answer
  // Destroyed in reverse: the workers are joined first (their tasks post to the I/O
  // context), then the acceptor, then the I/O context with the sessions it still holds.
  net::io_context io{io_threads};
  tcp::acceptor acceptor{io};
  net::thread_pool workers;

  impl(http_server_settings s, quick_handler q, handler h, refusal_observer r)
    : settings{std::move(s)}, quick{std::move(q)}, handle{std::move(h)}, refused{std::move(r)},
      workers{static_cast<std::size_t>(std::max(1, settings.workers))} {
  }

  void accept();
};

namespace {

template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
  static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  session(http_server::impl& server, tcp::socket socket)
    : server_{server}, stream_{make_stream(server, std::move(socket))} {
    beast::error_code ignored;
    remote_ = lowest().socket().remote_endpoint(ignored).address().to_string();
  }
  ~session() {
    --server_.connections;
    release_body();
  }

  void start() {
    if constexpr (is_tls) {
      lowest().expires_after(server_.settings.request_deadline);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec)
                                  self->read_header();
                              });
    } else {
      read_header();
    }
  }

private:
  static Stream make_stream(http_server::impl& server, tcp::socket socket) {
    if constexpr (is_tls)
      return Stream{std::move(socket), *server.tls};
    else
      return Stream{std::move(socket)};
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // The next request's header; its deadline covers the header, the body and an idle
  // keep-alive before them.
  void read_header() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(server_.settings.max_body);
    lowest().expires_after(server_.settings.request_deadline);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec)
      return failed(ec);
    // A body is held from its first byte until its answer is written: past max_bodies of
    // them, a request is refused before its body is read, so memory stays bounded.
    if (parser_->chunked() || parser_->content_length().value_or(0) > 0) {
      if (server_.bodies.fetch_add(1) >= server_.settings.max_bodies) {
        --server_.bodies;
        return refuse(503, "{\"error\":{\"message\":\"too many requests arriving at once; "
                           "try again\"}}");
      }
      holds_body_ = true;
    }
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      // The client waits for this before it sends the body (curl: for bodies over 1 KiB).
      auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      return http::async_write(stream_, *go_on,
                               [self = this->shared_from_this(), go_on](beast::error_code ec,
                                                                        std::size_t) {
                                 if (ec)
                                   return self->close();
                                 self->read_body();
                               });
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return self->failed(ec);
                       self->on_request();
                     });
  }

  // A read that failed: the client went or was too slow (nothing to answer), or sent what
  // is not a request within the limits (answered, then closed: what follows it cannot be
  // framed).
  void failed(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message
        || ec == beast::error::timeout
        || ec.category() != http::make_error_code(http::error::bad_version).category())
      return close();
    if (ec == http::error::body_limit)
      return refuse(413, "{\"error\":{\"message\":\"the body is larger than serve.max-texts x "
                         "serve.max-text-bytes allows\"}}");
    refuse(400, "{\"error\":{\"message\":\"not an HTTP/1.1 request within the limits: "
                  + ec.message() + "\"}}");
  }

  // Answers `status` with `body` (JSON) and closes: what follows cannot be read as the
  // next request.
  void refuse(int status, std::string body) {
    keep_alive_ = false;
    if (server_.refused)
      server_.refused(status);
    http_response answer;
    answer.status = status;
    answer.body = std::move(body);
    if (status == 503)
      answer.headers.emplace_back("Retry-After", "1");
    write(std::move(answer));
  }

  void release_body() {
    if (holds_body_)
      --server_.bodies;
    holds_body_ = false;
  }

  void on_request() {
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == http::verb::head;
    http_request request;
    request.method = std::string{message.method_string()};
    const auto target = std::string_view{message.target().data(), message.target().size()};
    request.path = std::string{target.substr(0, target.find('?'))};
    for (const auto& field : message)
      request.headers.emplace(std::string{field.name_string()}, std::string{field.value()});
    request.body = std::move(message.body());
    request.remote_address = remote_;
    std::optional<http_response> answer;
    try {
      answer = server_.quick(request);
    } catch (const std::exception&) { // not out of the I/O thread: it serves every connection
      answer.emplace();
      answer->status = 500;
      answer->body = "{\"error\":{\"message\":\"the request could not be handled\"}}";
    }
    if (answer)
      return write(std::move(*answer));
    net::post(server_.workers, [self = this->shared_from_this(), request = std::move(request)] {
      http_response answer;
      try {
        answer = self->server_.handle(request);
      } catch (const std::exception&) {
        answer.status = 500;
        answer.body = "{\"error\":{\"message\":\"the request could not be handled\"}}";
      }
      net::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
        self->write(std::move(answer));
      });
    });
  }

  void write(http_response answer) {
    auto out = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(answer.status), 11);
    out->set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers)
      out->set(name, value);
    out->body() = std::move(answer.body);
    out->keep_alive(keep_alive_);
    out->prepare_payload();
    if (head_) // the length of what GET would answer, without it
      out->body().clear();
    lowest().expires_after(server_.settings.request_deadline);
    http::async_write(stream_, *out,
                      [self = this->shared_from_this(), out](beast::error_code ec, std::size_t) {
                        self->release_body();
                        if (ec || !self->keep_alive_)
                          return self->close();
                        self->read_header(); // a pipelined request may be in the buffer already
                      });
  }

  // Closes after a lingering second: what the client still sends (the rest of a body
  // refused 413) is read and dropped, so that it gets the answer rather than a reset.
  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(std::chrono::seconds{1}); // for every read below
    linger();
  }

  void linger() {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    lowest().async_read_some(net::buffer(*scratch), [self = this->shared_from_this(),
                                                     scratch](beast::error_code ec, std::size_t n) {
      self->lingered_ += n;
      if (!ec && self->lingered_ < (std::size_t{1} << 20))
        return self->linger();
      self->lowest().close();
    });
  }

  http_server::impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = true;
  bool head_ = false; // the request is a HEAD: no body in the answer
  bool holds_body_ = false; // counted in server_.bodies
  std::size_t lingered_ = 0; // bytes dropped while closing
};

} // namespace

void http_server::impl::accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open())
      return;
    if (ec) { // out of descriptors, say: try again shortly rather than spin
      auto wait = std::make_shared<net::steady_timer>(io, std::chrono::milliseconds{50});
      return wait->async_wait([this, wait](beast::error_code) { accept(); });
    }
    if (connections.load() >= settings.max_connections) {
      if (refused)
        refused(503);
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      ++connections;
      socket.set_option(tcp::no_delay{true}); // else Nagle and delayed ACKs add ~40 ms
      if (tls)
        std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket))
          ->start();
      else
        std::make_shared<session<beast::tcp_stream>>(*this, std::move(socket))->start();
    }
    accept();
  });
}

http_server::http_server(http_server_settings settings, quick_handler quick, handler handle,
                         refusal_observer refused)
  : impl_{std::make_unique<impl>(std::move(settings), std::move(quick), std::move(handle),
                                 std::move(refused))} {
  auto& s = impl_->settings;
  if (!s.tls_certificate.empty()) {
    impl_->tls.emplace(net::ssl::context::tls_server);
    try {
      impl_->tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2
                              | net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1
                              | net::ssl::context::no_tlsv1_1);
      impl_->tls->use_certificate_chain_file(s.tls_certificate);
      impl_->tls->use_private_key_file(s.tls_key, net::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot use serve.tls-certificate = " + s.tls_certificate
                               + " with serve.tls-key = " + s.tls_key + " (" + e.what()
                               + "): PEM files of one certificate and its key");
    }
  }
  try {
    tcp::resolver resolver{impl_->io};
    const auto endpoint =
      resolver.resolve(s.bind, std::to_string(s.port), tcp::resolver::passive)->endpoint();
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(net::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + s.bind + ':' + std::to_string(s.port) + " ("
                             + e.code().message() + "): choose another serve.port or serve.bind");
  }
  impl_->accept();
}

http_server::~http_server() {
  stop();
  impl_->workers.join();
}

int http_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

bool http_server::tls() const {
  return impl_->tls.has_value();
}

void http_server::run() {
  std::vector<std::thread> others;
  for (int t = 1; t < io_threads; ++t)
    others.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : others)
    t.join();
}

void http_server::stop() {
  impl_->io.stop(); // run() returns; the sockets close with the server
}

} // namespace axon::app
