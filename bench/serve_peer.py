#!/usr/bin/env python3
"""serve_peer.py -- the first PyTorch peer of `axon serve` (bench/serve_vs_peer.sh now runs
bench/serve_peer_asgi.py, which imports its model, tokenizer and config reader): the same
model shape as a run (its config.ini: hidden, layers, heads, intermediate, max-len; its
vocab.txt and labels.txt) in plain torch.nn (../shared/bench/peer_torch_bert.py's
BertClassifier, post-LN, exact GELU, with the pooler), behind Python's threading HTTP
server with the same JSON as `POST /v1/classify`, one forward per request.

Not the run's weights: the peer has BERT-initialised random weights of the same shapes
(a forward costs the same). Its tokenizer is a plain lower-case WordPiece over the run's
vocab.txt (the same sequence lengths as Axon's for plain text).

    OMP_WAIT_POLICY=PASSIVE PEER_PY bench/serve_peer.py RUN_DIR PORT [--threads N]
"""
import argparse
import configparser
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared" / "bench"))
_argv, sys.argv = sys.argv, sys.argv[:1]  # the peer module parses arguments when imported
from peer_torch_bert import BertClassifier  # noqa: E402
sys.argv = _argv


def read_config(run_dir):
    text = (Path(run_dir) / "config.ini").read_text()
    parser = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    parser.read_string(text)
    get = lambda g, k, d: int(parser.get(g, k, fallback=str(d)).strip('"'))
    return dict(hidden=get("model", "hidden", 768), layers=get("model", "layers", 12),
                heads=get("model", "heads", 12), intermediate=get("model", "intermediate", 3072),
                max_len=get("data", "max-len", 128))


class WordPiece:
    def __init__(self, vocab_file):
        self.ids = {w: i for i, w in enumerate(Path(vocab_file).read_text().split("\n")) if w}
        self.unk = self.ids.get("[UNK]", 100)

    def encode(self, text, max_len):
        out = [self.ids.get("[CLS]", 101)]
        for word in re.findall(r"\w+|[^\w\s]", text.lower()):
            start, pieces = 0, []
            while start < len(word):
                end = len(word)
                while end > start and (("##" if start else "") + word[start:end]) not in self.ids:
                    end -= 1
                if end == start:
                    pieces = [self.unk]
                    break
                pieces.append(self.ids[("##" if start else "") + word[start:end]])
                start = end
            out.extend(pieces)
        return out[: max_len - 1] + [self.ids.get("[SEP]", 102)]


def load_peer_model(run_dir):
    """The run's shape as a PyTorch BertClassifier (random weights), its WordPiece
    tokenizer, its label names and its max-len (tokens per text)."""
    shape = read_config(run_dir)
    labels = [l for l in (Path(run_dir) / "labels.txt").read_text().split("\n") if l]
    tok = WordPiece(Path(run_dir) / "vocab.txt")
    cfg = argparse.Namespace(hidden=shape["hidden"], layers=shape["layers"], heads=shape["heads"],
                             ffn_mult=max(1, shape["intermediate"] // shape["hidden"]),
                             vocab=len(tok.ids), seq=shape["max_len"], dropout=0.0, norm="post",
                             impl="manual", gelu="erf", pooler=True, classes=len(labels))
    return BertClassifier(cfg).eval(), tok, labels, shape["max_len"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("port", type=int)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, tok, labels, max_len = load_peer_model(a.run_dir)
    lock = threading.Lock()  # one forward at a time: torch's own threads do the rest

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                texts = json.loads(body)["texts"]
                assert isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts)
            except Exception:
                return self.reply(400, {"error": {"field": "texts", "message": "bad request"}})
            rows = [tok.encode(t, max_len) for t in texts]
            width = max(len(r) for r in rows)
            ids = torch.zeros(len(rows), width, dtype=torch.long)
            for i, r in enumerate(rows):
                ids[i, : len(r)] = torch.tensor(r)
            with lock, torch.no_grad():
                probs = torch.softmax(model(ids, ids == 0), dim=-1).tolist()
            preds = []
            for p in probs:
                best = max(range(len(p)), key=p.__getitem__)
                preds.append({"label": labels[best], "probability": p[best],
                              "probabilities": dict(zip(labels, p))})
            self.reply(200, {"predictions": preds, "model": {"run": a.run_dir, "checkpoint": "peer", "step": 0}})

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(f"peer listening on 127.0.0.1:{a.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
