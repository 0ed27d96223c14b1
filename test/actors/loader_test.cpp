// The loader actor sends batches only against credit (never more than granted), and a
// loader restored to a saved cursor sends exactly the batches the first one sent next.
#include "actor_test_support.hpp"

#include "runtime/graph/atoms.hpp"
#include "actors/jobs/loader_actor.hpp"
#include "actors/jobs/messages.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <cstring>

using namespace axon;

namespace {

std::shared_ptr<const std::vector<data::tokenized_example>> examples(int count) {
  auto out = std::make_shared<std::vector<data::tokenized_example>>();
  for (int i = 0; i < count; ++i) {
    std::vector<std::int32_t> ids(3 + i % 7, 5 + i);
    out->push_back({ids, std::vector<std::int32_t>(ids.size(), 0), i % 3, {}, {}, {}});
  }
  return out;
}

bool same_batch(const msg::batch_msg& a, const msg::batch_msg& b) {
  return a.ids.sizes() == b.ids.sizes() && std::memcmp(a.ids.raw(), b.ids.raw(), a.ids.nbytes()) == 0
         && std::memcmp(a.labels.raw(), b.labels.raw(), a.labels.nbytes()) == 0
         && a.epoch == b.epoch && a.next_position == b.next_position;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(loader_respects_credit_and_restores_its_cursor, test::actor_fixture) {
  data::batcher_options options{4, 11, true, false, 0};
  auto loader = spawn_loader(sys, examples(30), options); // 8 batches per epoch, last one 2 rows
  caf::scoped_actor self{sys};
  auto receive_batches = [&](std::size_t count) {
    std::vector<msg::batch_msg> got;
    for (std::size_t i = 0; i < count; ++i)
      self->receive([&](msg::batch_msg& b) { got.push_back(std::move(b)); },
                    caf::after(std::chrono::seconds(10)) >> [] { BOOST_FAIL("no batch"); });
    return got;
  };
  auto nothing_more = [&] {
    bool extra = false;
    self->receive([&](msg::batch_msg&) { extra = true; },
                  caf::after(std::chrono::milliseconds(200)) >> [] {});
    return !extra;
  };
  self->send(loader, credit_atom::value, std::int32_t{3});
  auto first = receive_batches(3);
  BOOST_TEST(nothing_more()); // three credits, three batches
  self->send(loader, credit_atom::value, std::int32_t{7});
  auto rest = receive_batches(7);
  BOOST_TEST(nothing_more());
  first.insert(first.end(), rest.begin(), rest.end());
  BOOST_TEST(first[7].last_in_epoch);
  BOOST_TEST(first[7].ids.size(0) == 2);
  BOOST_TEST(first[8].epoch == 1u); // the second epoch, reshuffled
  BOOST_TEST(!same_batch(first[0], first[8]));

  // A new loader restored to the cursor after batch 4 sends batches 5.. again. The
  // batches it sent before its reply are stale: a rewinding consumer drops them.
  auto restored = spawn_loader(sys, examples(30), options);
  self->send(restored, credit_atom::value, std::int32_t{3});
  bool restored_ok = false;
  self->request(restored, caf::infinite, restore_atom::value, first[4].next_epoch,
                first[4].next_position)
    .receive([&](bool ok) { restored_ok = ok; }, [](caf::error&) {});
  BOOST_TEST(restored_ok);
  receive_batches(3); // the stale ones, waiting in the mailbox
  BOOST_TEST(nothing_more());
  self->send(restored, credit_atom::value, std::int32_t{5});
  auto again = receive_batches(5);
  for (int k = 0; k < 5; ++k)
    BOOST_TEST(same_batch(again[k], first[5 + k]), "batch " << 5 + k);
  for (auto& a : {loader, restored})
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}
