// bert_stage: forward/backward over the stage's part of the model.
#include "graphs/bert/bert_stage.hpp"

#include "ops/cpu/first_rows.hpp"
#include "ops/dispatch.hpp"
#include "runtime/buffer.hpp"

#include <stdexcept>

namespace axon::bert {

stage_layout split_stages(const bert_config& cfg, int index, int count) {
  if (count < 1 || index < 0 || index >= count)
    throw std::invalid_argument("stage " + std::to_string(index) + " of " + std::to_string(count)
                                + " does not exist");
  if (cfg.mlm && count > 1)
    throw std::invalid_argument("placement.stages = " + std::to_string(count)
                                + ": pretraining needs 1 stage, since the MLM head's decoder"
                                  " is the embeddings' word matrix (use placement.shards to"
                                  " spread the work)");
  if (count > cfg.layers + 1 && count > 1)
    throw std::invalid_argument("placement.stages = " + std::to_string(count) + " exceeds "
                                + std::to_string(cfg.layers + 1)
                                + " (model.layers + 1): a stage would be empty");
  // Stage 0 carries the embeddings, the last the head; blocks are dealt out evenly.
  stage_layout s{index, count};
  auto bound = [&](int k) { return static_cast<int>(std::int64_t{k} * cfg.layers / count); };
  s.first_layer = bound(index);
  s.end_layer = bound(index + 1);
  return s;
}

std::vector<param_spec> stage_param_specs(const bert_config& cfg, const stage_layout& layout) {
  std::vector<param_spec> specs;
  if (layout.has_embeddings())
    specs = embedding_param_specs(cfg);
  for (int layer = layout.first_layer; layer < layout.end_layer; ++layer) {
    auto block = block_param_specs(cfg, layer);
    specs.insert(specs.end(), block.begin(), block.end());
  }
  if (layout.has_head()) {
    auto head = head_param_specs(cfg);
    specs.insert(specs.end(), head.begin(), head.end());
  }
  return specs;
}

bert_stage::bert_stage(const bert_config& cfg, stage_layout layout, ops::compute on,
                       bool trainable)
  : cfg_(cfg), layout_(layout), on_(std::move(on)),
    params_(stage_param_specs(cfg, layout), on_.where()),
    grads_(trainable ? params_.like() : param_arena{}) {
  cfg_.validate();
  bind(params_);
  if (!trainable)
    return;
  emb_g_ = layout_.has_embeddings() ? embedding_views(grads_, cfg_) : embedding_params{};
  for (int layer = layout_.first_layer; layer < layout_.end_layer; ++layer)
    block_g_.push_back(block_views(grads_, cfg_, layer));
  if (cfg_.mlm)
    mlm_g_ = mlm_head_views(grads_, emb_g_.word);
  else if (layout_.has_head() && cfg_.documents)
    document_g_ = document_head_views(grads_, cfg_, pooling_of(cfg_));
  else if (layout_.has_head())
    head_g_ = head_views(grads_, cfg_);
}

void bert_stage::bind(const param_arena& params) {
  if (params.numel() != params_.numel() || params.count() != params_.count())
    throw std::invalid_argument("bert_stage::bind: parameters do not match stage "
                                + std::to_string(layout_.index) + "'s layout");
  if (params.flat().where() != on_.where())
    throw std::invalid_argument("bert_stage::bind: parameters on "
                                + params.flat().where().to_string() + ", but stage "
                                + std::to_string(layout_.index) + " computes on "
                                + on_.where().to_string());
  params_ = params;
  emb_p_ = layout_.has_embeddings() ? embedding_views(params_, cfg_) : embedding_params{};
  block_p_.clear();
  for (int layer = layout_.first_layer; layer < layout_.end_layer; ++layer)
    block_p_.push_back(block_views(params_, cfg_, layer));
  if (cfg_.mlm)
    mlm_p_ = mlm_head_views(params_, emb_p_.word);
  else if (layout_.has_head() && cfg_.documents)
    document_p_ = document_head_views(params_, cfg_, pooling_of(cfg_));
  else if (layout_.has_head())
    head_p_ = head_views(params_, cfg_);
}

void bert_stage::zero_grads() {
  if (!grads_.count())
    return; // an inference stage has no gradients
  ops::compute_scope scope{on_};
  ops::dispatch::zero_fill(grads_.flat(), on_);
}

batch bert_stage::on_device(const batch& in) const {
  const auto where = on_.where();
  return {in.ids.on(where), in.token_types.on(where), in.mask.on(where), in.labels.on(where),
          in.entities, in.offsets}; // entity fusion and the document head read the host
}

stage_output bert_stage::forward(int slot, const batch& host_in, const tensor& hidden_in,
                                 const dropout_key& key) {
  ops::compute_scope scope{on_};
  auto& a = slots_[slot];
  a.in = on_device(host_in);
  const batch& in = a.in;
  const tensor hidden_here = hidden_in.on(on_.where()); // from another process: on the host
  a.blocks.resize(block_p_.size());
  const tensor* hidden = &hidden_here;
  if (layout_.has_embeddings()) {
    embeddings_forward(a.embeddings, emb_p_, cfg_, in, key, on_);
    hidden = &a.embeddings.out;
  } else if (!hidden_in.defined()) {
    throw std::invalid_argument("stage " + std::to_string(layout_.index)
                                + " needs the previous stage's hidden states");
  }
  a.hidden_in = hidden_here;
  for (std::size_t k = 0; k < block_p_.size(); ++k) {
    block_forward(a.blocks[k], block_p_[k], cfg_, layout_.first_layer + int(k), *hidden, in.mask,
                  key, on_);
    hidden = &a.blocks[k].out;
  }
  stage_output out;
  if (!layout_.has_head()) {
    out.hidden = *hidden;
    on_.synchronize();
    return out;
  }
  if (cfg_.mlm) {
    mlm_head_forward(a.mlm, mlm_p_, cfg_, *hidden, host_in.labels, on_); // positions: host
    out.loss = a.mlm.loss;
    out.loss_terms = a.mlm.positions.numel();
    if (!key.training) {
      auto stats = mlm_row_stats_of(a.mlm, in.ids.size(0), in.ids.size(1));
      out.logits = stats.counts;
      out.losses = stats.loss_sums;
    }
    on_.synchronize(); // the loss waited already; a forward without targets did not
    return out;
  }
  if (cfg_.documents && !in.offsets.defined()) { // windows classified elsewhere
    // (N,C) [CLS] rows, to the host: they leave in a message (to() waits for the stream)
    auto rows = tensor::empty({hidden->size(0), std::int64_t{cfg_.hidden}}, dtype::f32,
                              on_.where());
    ops::dispatch::first_rows_forward(rows, *hidden, on_);
    out.cls = rows.on(device::cpu());
    return out;
  }
  if (cfg_.documents) { // the document head over the windows' [CLS] rows
    ensure_shape(a.cls, {hidden->size(0), std::int64_t{cfg_.hidden}}, dtype::f32, on_.where());
    ops::dispatch::first_rows_forward(a.cls, *hidden, on_);
    document_head_forward(a.document, document_p_, cfg_, pooling_of(cfg_), a.cls, in.offsets,
                          in.labels, documents_key(key), on_);
    out.loss = in.labels.defined() ? a.document.head.loss : 0.0f;
    out.loss_terms = in.labels.defined() ? in.labels.size(0) : 0;
    // (D,K) and (D): read on the host by every caller; on() waits for the stream.
    out.logits = a.document.head.logits.on(device::cpu());
    out.losses = in.labels.defined() ? a.document.head.losses.on(device::cpu()) : tensor{};
    return out;
  }
  head_forward(a.head, head_p_, cfg_, *hidden, in.labels, key, on_);
  out.loss = in.labels.defined() ? a.head.loss : 0.0f;
  out.loss_terms = in.labels.defined() ? in.ids.size(0) : 0;
  // (b,K) and (b): read on the host by every caller; to() waits for the stream.
  out.logits = a.head.logits.on(device::cpu());
  out.losses = in.labels.defined() ? a.head.losses.on(device::cpu()) : tensor{};
  return out;
}

tensor bert_stage::backward(int slot, const batch&, const tensor& d_hidden_out, float dloss,
                            const dropout_key& key) {
  if (!grads_.count())
    throw std::logic_error("bert_stage::backward: an inference stage (made without gradients)");
  ops::compute_scope scope{on_};
  auto it = slots_.find(slot);
  if (it == slots_.end())
    throw std::logic_error("bert_stage::backward: no forward in slot " + std::to_string(slot));
  auto& a = it->second;
  const batch& in = a.in; // forward's copy on the device
  const bool input_leaves = !layout_.has_embeddings(); // d hidden_in goes to the previous stage
  // The input of block k (or of the head when k == number of blocks).
  auto input_of = [&](std::size_t k) -> const tensor& {
    if (k > 0)
      return a.blocks[k - 1].out;
    return layout_.has_embeddings() ? a.embeddings.out : a.hidden_in;
  };
  // A zeroed gradient buffer of `sizes`: fresh when it leaves the stage in a message,
  // else one of two reused buffers (not the one holding `busy`).
  auto gradient_buffer = [&](const shape& sizes, bool leaves, const tensor& busy) {
    tensor fresh;
    const bool first_busy = d_hidden_[0].defined() && d_hidden_[0].shares_storage_with(busy);
    auto& buffer = leaves ? fresh : d_hidden_[first_busy ? 1 : 0];
    ensure_shape(buffer, sizes, dtype::f32, on_.where());
    ops::dispatch::zero_fill(buffer, on_);
    return buffer;
  };
  // d loss / d (output of the part processed next); from another process: on the host
  tensor grad = d_hidden_out.on(on_.where());
  if (layout_.has_head()) {
    const auto& top = input_of(block_p_.size());
    grad = gradient_buffer(top.sizes(), input_leaves && block_p_.empty(), tensor{});
    if (cfg_.mlm) {
      mlm_head_backward(mlm_g_, grad, a.mlm, mlm_p_, dloss, on_);
    } else if (cfg_.documents && !in.offsets.defined()) { // given its [CLS] rows' gradient
      ops::dispatch::first_rows_backward(grad, d_hidden_out.on(on_.where()), on_);
    } else if (cfg_.documents) { // every window gets the gradient of its [CLS] row
      ensure_shape(a.d_cls, a.cls.sizes(), dtype::f32, on_.where());
      ops::dispatch::zero_fill(a.d_cls, on_);
      document_head_backward(document_g_, a.d_cls, a.document, document_p_, cfg_,
                             pooling_of(cfg_), a.cls, in.labels, dloss, documents_key(key),
                             on_);
      ops::dispatch::first_rows_backward(grad, a.d_cls, on_);
    } else {
      head_backward(head_g_, grad, a.head, head_p_, cfg_, top, in.labels, dloss, key, on_);
    }
  }
  for (std::size_t k = block_p_.size(); k-- > 0;) {
    const auto& inp = input_of(k);
    auto dinp = gradient_buffer(inp.sizes(), input_leaves && k == 0, grad);
    block_backward(block_g_[k], dinp, scratch_, a.blocks[k], block_p_[k], cfg_,
                   layout_.first_layer + int(k), inp, in.mask, grad, key, on_);
    grad = dinp;
  }
  if (layout_.has_embeddings())
    embeddings_backward(emb_g_, a.embeddings, emb_p_, cfg_, in, grad, key, on_);
  on_.synchronize();
  return layout_.has_embeddings() ? tensor{} : grad;
}

documents_output bert_stage::classify_documents(const tensor& cls, const tensor& offsets,
                                                const tensor& labels, float dloss,
                                                const dropout_key& key) {
  if (!cfg_.documents || !layout_.has_head())
    throw std::logic_error("bert_stage::classify_documents: stage " + std::to_string(layout_.index)
                           + " holds no document head");
  ops::compute_scope scope{on_};
  const auto pooling = pooling_of(cfg_);
  const auto head_key = documents_key(key);
  // From a message, on the host; the offsets stay there (the head checks them there).
  const auto cls_here = cls.on(on_.where()), labels_here = labels.on(on_.where());
  document_head_forward(gathered_, document_p_, cfg_, pooling, cls_here, offsets, labels_here,
                        head_key, on_);
  documents_output out;
  // Copies on the host (to() waits for the stream): the next call reuses the head's buffers.
  out.logits = gathered_.head.logits.to(device::cpu());
  if (!labels.defined())
    return out;
  out.loss = gathered_.head.loss;
  out.losses = gathered_.head.losses.to(device::cpu());
  if (key.training) {
    if (!grads_.count())
      throw std::logic_error("bert_stage::classify_documents: training an inference stage");
    auto d_cls = tensor::empty(cls.sizes(), dtype::f32, on_.where());
    ops::dispatch::zero_fill(d_cls, on_);
    document_head_backward(document_g_, d_cls, gathered_, document_p_, cfg_, pooling, cls_here,
                           labels_here, dloss, head_key, on_);
    out.d_cls = d_cls.to(device::cpu());
  }
  return out;
}

void bert_stage::release(int slot) {
  auto it = slots_.find(slot);
  if (it != slots_.end()) {
    it->second.hidden_in = tensor{};
    it->second.in = batch{};
  }
}

} // namespace axon::bert
