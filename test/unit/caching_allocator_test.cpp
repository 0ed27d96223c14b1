// The device caching allocator's bookkeeping, with host malloc/free injected in place of
// cudaMalloc/cudaFree (so it runs without a GPU): size classes, reuse per stream and
// size class, release on demand, retry after an out-of-memory miss, and misuse errors.
#include "runtime/cuda/caching_allocator.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <new>
#include <map>
#include <stdexcept>

using axon::cuda::caching_allocator;

namespace {

// Counts raw calls; refuses allocations beyond `capacity` bytes live, like a full device.
struct fake_device {
  std::size_t capacity = std::size_t{1} << 30;
  std::size_t live_bytes = 0;
  int allocations = 0, frees = 0;
  std::map<void*, std::size_t> live; // pointer -> bytes

  caching_allocator make() {
    return caching_allocator{
      [this](std::size_t bytes) -> void* {
        if (live_bytes + bytes > capacity)
          return nullptr;
        void* p = std::malloc(bytes);
        live[p] = bytes;
        live_bytes += bytes;
        ++allocations;
        return p;
      },
      [this](void* p) {
        BOOST_REQUIRE(live.count(p) == 1);
        live_bytes -= live[p];
        live.erase(p);
        ++frees;
        std::free(p);
      }};
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(caching_allocator_size_classes) {
  BOOST_TEST(caching_allocator::size_class(0) == 512u);
  BOOST_TEST(caching_allocator::size_class(1) == 512u);
  BOOST_TEST(caching_allocator::size_class(512) == 512u);
  BOOST_TEST(caching_allocator::size_class(513) == 1024u);
  BOOST_TEST(caching_allocator::size_class(1u << 20) == (1u << 20));
  BOOST_TEST(caching_allocator::size_class((1u << 20) + 1) == (2u << 20));
  BOOST_TEST(caching_allocator::size_class(5u << 20) == (6u << 20));
}

BOOST_AUTO_TEST_CASE(caching_allocator_reuses_freed_blocks_of_the_same_class_and_stream) {
  fake_device dev;
  auto alloc = dev.make();
  void* a = alloc.allocate(1000, 7);
  alloc.deallocate(a);
  BOOST_TEST(alloc.stats().cached_bytes == 1024u);
  BOOST_TEST(alloc.allocate(900, 7) == a); // same class (1024), same stream: a cache hit
  BOOST_TEST(dev.allocations == 1);
  BOOST_TEST(alloc.stats().cache_hits == 1u);
  void* other_stream = alloc.allocate(1000, 8); // another stream never takes a's block
  void* other_class = alloc.allocate(2000, 7);
  BOOST_TEST(other_stream != a);
  BOOST_TEST(other_class != a);
  BOOST_TEST(dev.allocations == 3);
  auto stats = alloc.stats();
  BOOST_TEST(stats.in_use_bytes == 1024u + 1024u + 2048u);
  BOOST_TEST(stats.cached_bytes == 0u);
  BOOST_TEST(stats.raw_allocations == 3u);
  for (void* block : {a, other_stream, other_class}) // back to the cache, freed at destruction
    alloc.deallocate(block);
}

BOOST_AUTO_TEST_CASE(caching_allocator_releases_cache_on_demand_and_at_destruction) {
  fake_device dev;
  {
    auto alloc = dev.make();
    void* a = alloc.allocate(4u << 20);
    void* b = alloc.allocate(100);
    alloc.deallocate(a);
    BOOST_TEST(alloc.release_cached() == (4u << 20));
    BOOST_TEST(dev.frees == 1);
    BOOST_TEST(alloc.stats().cached_bytes == 0u);
    alloc.deallocate(b); // cached again, freed by the destructor
  }
  BOOST_TEST(dev.frees == 2);
  BOOST_TEST(dev.live.empty());
}

BOOST_AUTO_TEST_CASE(caching_allocator_frees_its_cache_and_retries_when_the_device_is_full) {
  fake_device dev;
  dev.capacity = 4u << 20;
  auto alloc = dev.make();
  void* a = alloc.allocate(2u << 20);
  void* b = alloc.allocate(1u << 20);
  alloc.deallocate(a);
  alloc.deallocate(b); // 3 MiB cached: a 3 MiB request (class 4 MiB) cannot fit...
  void* c = alloc.allocate(3u << 20); // ...until the cache is released; then it does
  BOOST_TEST(c != nullptr);
  BOOST_TEST(dev.frees == 2);
  BOOST_TEST(alloc.stats().in_use_bytes == (4u << 20));
  BOOST_CHECK_THROW(alloc.allocate(1u << 20), std::bad_alloc); // truly full
  alloc.deallocate(c);
}

BOOST_AUTO_TEST_CASE(caching_allocator_rejects_foreign_and_double_frees) {
  fake_device dev;
  auto alloc = dev.make();
  int on_stack = 0;
  BOOST_CHECK_THROW(alloc.deallocate(&on_stack), std::invalid_argument);
  void* a = alloc.allocate(64);
  alloc.deallocate(a);
  BOOST_CHECK_THROW(alloc.deallocate(a), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(caching_allocator_treats_a_throwing_raw_allocator_as_out_of_memory) {
  caching_allocator alloc{[](std::size_t) -> void* { throw std::runtime_error("cudaMalloc"); },
                          [](void*) {}};
  BOOST_CHECK_THROW(alloc.allocate(64), std::bad_alloc);
}
