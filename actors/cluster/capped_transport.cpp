// capped_transport: see capped_transport.hpp. Scribes (TCP, TLS) with a read_admission in
// front of configure_read, the doorman that makes them for accepted sockets, and the
// middleman actor that opens such doormen and connects such scribes.
#include "actors/cluster/capped_transport.hpp"

#include <caf/all.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor_impl.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/doorman_impl.hpp>
#include <caf/io/network/scribe_impl.hpp>
#include <caf/io/network/stream_impl.hpp>
#include <caf/openssl/session.hpp>

#include <algorithm>
#include <iostream>
#include <sys/socket.h>

namespace axon {

namespace {

using caf::io::network::native_socket;
using multiplexer = caf::io::network::default_multiplexer;
using caf::io::network::rw_state;

// TLS bytes through CAF's public OpenSSL session (which holds the SSL object, the context
// built from this process's openssl settings, and the handshake state).
struct tls_policy {
  explicit tls_policy(caf::openssl::session_ptr s) : session(std::move(s)) {}
  rw_state read_some(std::size_t& n, native_socket fd, void* buf, std::size_t len) {
    return session->read_some(n, fd, buf, len);
  }
  rw_state write_some(std::size_t& n, native_socket fd, const void* buf, std::size_t len) {
    return session->write_some(n, fd, buf, len);
  }
  bool must_read_more(native_socket fd, std::size_t threshold) {
    return session->must_read_more(fd, threshold);
  }
  caf::openssl::session_ptr session;
};

// A connection's scribe over TLS: the stream with tls_policy, plus what a scribe must say.
class tls_scribe : public caf::io::scribe {
public:
  tls_scribe(multiplexer& mpx, native_socket fd, caf::openssl::session_ptr session)
    : scribe(caf::io::network::conn_hdl_from_socket(fd)), stream_(mpx, fd, std::move(session)) {}

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (!launched_) {
      launched_ = true;
      stream_.start(this);
      // Gets the socket polled for writing once, so that a TLS handshake still pending
      // (SSL_accept/SSL_connect) proceeds before any data is written.
      stream_.force_empty_write(this);
    }
  }
  void ack_writes(bool enable) override { stream_.ack_writes(enable); }
  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }
  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }
  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }
  void flush() override { stream_.flush(this); }
  std::string addr() const override {
    auto x = caf::io::network::remote_addr_of_fd(stream_.fd());
    return x ? *x : std::string{};
  }
  std::uint16_t port() const override {
    auto x = caf::io::network::remote_port_of_fd(stream_.fd());
    return x ? *x : 0;
  }
  void add_to_loop() override { stream_.activate(this); }
  void remove_from_loop() override { stream_.passivate(); }

protected:
  bool launched_ = false;
  caf::io::network::stream_impl<tls_policy> stream_;
};

// Scribe (CAF's TCP scribe or tls_scribe) whose reads pass a read_admission first.
template <class Scribe>
class capped_scribe : public Scribe {
public:
  template <class... Ts>
  capped_scribe(std::shared_ptr<const message_cap> cap, multiplexer& mpx, native_socket fd,
                Ts&&... xs)
    : Scribe(mpx, fd, std::forward<Ts>(xs)...), admission_(std::move(cap), fd) {}

  void configure_read(caf::io::receive_policy::config config) override {
    if (auto why = admission_.admit(config.second); !why.empty()) {
      if (admission_.cap().log)
        admission_.cap().log("refused " + why + " from " + this->addr() + ":"
                             + std::to_string(this->port()) + "; connection closed");
      // CAF then reads end-of-stream (or one byte that is not the payload it expects) and
      // closes the connection itself.
      ::shutdown(this->stream_.fd(), SHUT_RDWR);
      config = caf::io::receive_policy::at_most(1);
    }
    Scribe::configure_read(config);
  }
  bool consume(caf::execution_unit* ctx, const void* buf, std::size_t size) override {
    admission_.read_done();
    return Scribe::consume(ctx, buf, size);
  }

private:
  read_admission admission_;
};

using capped_tcp_scribe = capped_scribe<caf::io::network::scribe_impl>;
using capped_tls_scribe = capped_scribe<tls_scribe>;

// nullptr when a TLS session cannot be set up for fd (the socket is then closed).
caf::io::scribe_ptr make_scribe(caf::actor_system& sys, multiplexer& mpx, native_socket fd,
                                const std::shared_ptr<const message_cap>& cap, bool tls,
                                bool accepted) {
  if (!tls)
    return caf::make_counted<capped_tcp_scribe>(cap, mpx, fd);
  caf::io::network::nonblocking(fd, true);
  auto session = caf::openssl::make_session(sys, fd, accepted);
  if (!session) {
    caf::io::network::close_socket(fd);
    return nullptr;
  }
  return caf::make_counted<capped_tls_scribe>(cap, mpx, fd, std::move(session));
}

class capped_doorman : public caf::io::network::doorman_impl {
public:
  capped_doorman(multiplexer& mpx, native_socket fd, std::shared_ptr<const message_cap> cap,
                 bool tls)
    : doorman_impl(mpx, fd), cap_(std::move(cap)), tls_(tls) {}

  bool new_connection() override {
    if (detached()) // the broker let go of this doorman while the socket was still polled
      return false;
    auto& mpx = acceptor_.backend();
    read_admission::make_room_for_handshake(*cap_);
    auto scribe = make_scribe(parent()->system(), mpx, acceptor_.accepted_socket(), cap_, tls_,
                              true);
    if (!scribe) {
      if (cap_->log)
        cap_->log("refused a connection: no TLS session could be set up for it");
      return false;
    }
    auto hdl = scribe->hdl();
    parent()->add_scribe(std::move(scribe));
    return doorman::new_connection(&mpx, hdl);
  }

private:
  std::shared_ptr<const message_cap> cap_;
  bool tls_;
};

class capped_middleman : public caf::io::middleman_actor_impl {
public:
  capped_middleman(caf::actor_config& cfg, caf::actor broker,
                   std::shared_ptr<const message_cap> cap, bool tls)
    : middleman_actor_impl(cfg, std::move(broker)), cap_(std::move(cap)), tls_(tls) {}

  const char* name() const override { return "axon.capped_middleman"; }

protected:
  caf::expected<caf::io::scribe_ptr> connect(const std::string& host,
                                             std::uint16_t port) override {
    auto fd = caf::io::network::new_tcp_connection(host, port);
    if (!fd)
      return std::move(fd.error());
    if (auto scribe = make_scribe(system(), mpx(), *fd, cap_, tls_, false))
      return scribe;
    return caf::make_error(caf::sec::cannot_connect_to_node,
                           "no TLS session with " + host + ":" + std::to_string(port));
  }

  caf::expected<caf::io::doorman_ptr> open(std::uint16_t port, const char* addr,
                                           bool reuse) override {
    auto fd = caf::io::network::new_tcp_acceptor_impl(port, addr, reuse);
    if (!fd)
      return std::move(fd.error());
    return caf::make_counted<capped_doorman>(mpx(), *fd, cap_, tls_);
  }

private:
  multiplexer& mpx() { return static_cast<multiplexer&>(system().middleman().backend()); }

  std::shared_ptr<const message_cap> cap_;
  bool tls_;
};

} // namespace

std::shared_ptr<const message_cap> cluster_message_cap(const cluster::cluster_settings& settings,
                                                       std::string who) {
  auto cap = std::make_shared<message_cap>();
  cap->max_message_bytes = settings.max_message_bytes;
  cap->peers = std::max<std::size_t>(1, settings.nodes.size());
  cap->log = [who = std::move(who)](const std::string& line) {
    std::cerr << who << line << std::endl;
  };
  return cap;
}

caf::actor spawn_capped_middleman(caf::actor_system& sys, std::shared_ptr<const message_cap> cap,
                                  bool tls) {
  auto broker = sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  auto actor = sys.spawn<capped_middleman, caf::hidden>(std::move(broker), std::move(cap), tls);
  return caf::actor_cast<caf::actor>(actor);
}

caf::expected<std::uint16_t> publish_capped(caf::actor_system& sys, const caf::actor& middleman,
                                           const caf::actor& whom, std::uint16_t port,
                                           const std::string& bind, bool reuse_address) {
  caf::scoped_actor self{sys};
  caf::expected<std::uint16_t> result{caf::sec::runtime_error};
  self
    ->request(middleman, caf::infinite, caf::publish_atom::value, port,
              caf::actor_cast<caf::strong_actor_ptr>(whom), std::set<std::string>{}, bind,
              reuse_address)
    .receive([&](std::uint16_t bound) { result = bound; },
             [&](caf::error& err) { result = std::move(err); });
  return result;
}

} // namespace axon
