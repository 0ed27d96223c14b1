// KG service actor: see kg_service_actor.hpp.
#include "actors/kg/kg_service_actor.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/graph/atoms.hpp"
#include "actors/kg/messages.hpp"
#include "runtime/graph/probed_actor.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <cstring>

namespace axon {

namespace {

struct kg_service_state {
  static inline const char* name = "axon.kg";
  kg::fusion_kg kg;
  bool words_normalised = true;
  tensor table; // (E,D), undefined: none
  std::uint64_t rows_linked = 0, words_linked = 0, mentions = 0, embedding_rows = 0;
};

using kg_service_actor = probed_actor<kg_service_state>;

void publish(kg_service_actor* self) {
  if (auto* probe = self->probe()) {
    const auto& st = self->state;
    probe->set_detail("rows_linked", double(st.rows_linked));
    probe->set_detail("mentions", double(st.mentions));
    probe->set_detail("embedding_rows", double(st.embedding_rows));
  }
}

caf::behavior kg_service_behavior(kg_service_actor* self, kg_service_setup setup) {
  exit_on_exception(self, "kg service");
  auto& st = self->state;
  std::vector<kg::alias> aliases;
  aliases.reserve(setup.alias_entities.size());
  for (std::size_t k = 0; k < setup.alias_entities.size(); ++k)
    aliases.push_back({setup.alias_entities[k], setup.alias_surfaces.at(k)});
  st.kg = kg::make_fusion_kg(setup.entities, std::move(aliases));
  st.words_normalised = setup.words_normalised;
  st.table = setup.table;
  if (st.table.defined() && (st.table.rank() != 2 || st.table.size(0) != st.kg.entities.size()))
    throw std::invalid_argument("the entity table is " + st.table.describe() + " for " +
                                std::to_string(st.kg.entities.size()) + " entities");
  return {
    [=](const msg::kg_link_request& request) {
      auto& st = self->state;
      msg::kg_link_reply reply;
      reply.rows.reserve(request.rows.size());
      for (const auto& words : request.rows) {
        reply.rows.push_back(st.kg.link(words, st.words_normalised));
        st.words_linked += words.size();
        st.mentions += reply.rows.back().size();
      }
      st.rows_linked += request.rows.size();
      publish(self);
      return reply;
    },
    [=](embeddings_atom) -> caf::result<tensor> {
      auto& st = self->state;
      if (!st.table.defined())
        return make_error(errc::bad_input,
                               "kg service: the job has no entity embeddings (kg.embeddings)");
      st.embedding_rows += static_cast<std::uint64_t>(st.table.size(0));
      publish(self);
      return st.table;
    },
    [=](embeddings_atom, const std::vector<std::int32_t>& ids) -> caf::result<tensor> {
      auto& st = self->state;
      if (!st.table.defined())
        return make_error(errc::bad_input,
                               "kg service: the job has no entity embeddings (kg.embeddings)");
      const auto entities = st.table.size(0), dim = st.table.size(1);
      auto rows = tensor::empty({std::int64_t(ids.size()), dim});
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= entities)
          return make_error(errc::bad_input,
                                 "kg service: entity id " + std::to_string(ids[i]) +
                                   " outside the table of " + std::to_string(entities));
        std::memcpy(rows.data<float>() + std::int64_t(i) * dim,
                    st.table.data<float>() + std::int64_t(ids[i]) * dim, dim * sizeof(float));
      }
      st.embedding_rows += ids.size();
      publish(self);
      return rows;
    },
    [=](stats_atom) {
      const auto& st = self->state;
      nlohmann::json j{{"kind", "kg"},
                       {"entities", st.kg.entities.size()},
                       {"aliases", st.kg.linker.alias_count()},
                       {"embedding_dim", st.table.defined() ? st.table.size(1) : 0},
                       {"rows_linked", st.rows_linked},
                       {"words_linked", st.words_linked},
                       {"mentions", st.mentions},
                       {"embedding_rows", st.embedding_rows}};
      return j.dump();
    },
  };
}

} // namespace

kg_service_setup kg_service_setup_of(const kg::fusion_kg& kg, bool words_normalised, tensor table) {
  kg_service_setup setup;
  setup.entities = kg.entities.names();
  for (const auto& a : kg.aliases) {
    setup.alias_entities.push_back(a.entity);
    setup.alias_surfaces.push_back(a.surface);
  }
  setup.words_normalised = words_normalised;
  setup.table = std::move(table);
  return setup;
}

caf::actor spawn_kg_service(caf::actor_system& sys, const kg_service_setup& setup) {
  return sys.spawn(kg_service_behavior, setup);
}

} // namespace axon
