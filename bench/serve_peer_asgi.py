#!/usr/bin/env python3
"""serve_peer_asgi.py -- the ASGI peer of `axon serve` (issue #23's peer): serve_peer.py's
PyTorch model of a run's shape (random weights of the same shapes, the same WordPiece and
the same JSON as `POST /v1/classify`) as a plain ASGI app under uvicorn (httptools, uvloop
when installed; asyncio sets TCP_NODELAY on its sockets; HTTP/1.1 keep-alive).

    --max-batch 1 (default): one forward per request, run one at a time on a worker thread
        so that the event loop keeps reading and answering while torch computes.
    --max-batch N --max-wait-ms W: the peer's own dynamic batching: requests wait up to W ms
        (or until N are waiting) and go through one padded forward together, as
        `serve.max-batch` / `serve.max-wait` do in `axon serve`.

uvicorn is not one of Axon's dependencies: bench/setup-serve-peer.sh installs it into the
peer's private virtual environment (../shared/bench/setup-peer.sh) and prints its python.

    OMP_WAIT_POLICY=PASSIVE PEER_PY bench/serve_peer_asgi.py RUN_DIR PORT [--threads N]
        [--max-batch N] [--max-wait-ms W]
"""
import argparse
import asyncio
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_peer import load_peer_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("port", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-batch", type=int, default=1)
    ap.add_argument("--max-wait-ms", type=float, default=2.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, tok, labels, max_len = load_peer_model(a.run_dir)
    compute = ThreadPoolExecutor(max_workers=1)  # one forward at a time: torch's threads do the rest
    model_info = {"run": a.run_dir, "checkpoint": "peer", "step": 0}

    def forward(rows):  # rows: token id lists -> probabilities, one list per row
        width = max(len(r) for r in rows)
        ids = torch.zeros(len(rows), width, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
        with torch.no_grad():
            return torch.softmax(model(ids, ids == 0), dim=-1).tolist()

    queue = None  # (rows, future) of the requests waiting for the batcher (--max-batch > 1)

    async def batcher():
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            deadline = loop.time() + a.max_wait_ms / 1000
            while sum(len(r) for r, _ in batch) < a.max_batch:
                try:
                    batch.append(await asyncio.wait_for(queue.get(), max(0.0, deadline - loop.time())))
                except asyncio.TimeoutError:
                    break
            rows = [row for r, _ in batch for row in r]
            try:
                probs = await loop.run_in_executor(compute, forward, rows)
            except Exception as e:  # noqa: BLE001
                for _, fut in batch:
                    fut.set_exception(e)
                continue
            at = 0
            for r, fut in batch:
                fut.set_result(probs[at: at + len(r)])
                at += len(r)

    async def classify(rows):
        if queue is None:
            return await asyncio.get_running_loop().run_in_executor(compute, forward, rows)
        fut = asyncio.get_running_loop().create_future()
        await queue.put((rows, fut))
        return await fut

    async def reply(send, status, obj):
        body = json.dumps(obj).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def app(scope, receive, send):
        nonlocal queue
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if a.max_batch > 1:
                        queue = asyncio.Queue()
                        asyncio.get_running_loop().create_task(batcher())
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST" or scope["path"] != "/v1/classify":
            return await reply(send, 404, {"error": {"message": "not found"}})
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            texts = json.loads(body)["texts"]
            assert isinstance(texts, list) and texts and all(isinstance(t, str) for t in texts)
        except Exception:  # noqa: BLE001
            return await reply(send, 400, {"error": {"field": "texts", "message": "bad request"}})
        probs = await classify([tok.encode(t, max_len) for t in texts])
        preds = []
        for p in probs:
            best = max(range(len(p)), key=p.__getitem__)
            preds.append({"label": labels[best], "probability": p[best],
                          "probabilities": dict(zip(labels, p))})
        await reply(send, 200, {"predictions": preds, "model": model_info})

    print(f"peer listening on 127.0.0.1:{a.port} (uvicorn {uvicorn.__version__}, max-batch {a.max_batch})",
          flush=True)
    uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning", access_log=False,
                backlog=2048, timeout_keep_alive=60)


if __name__ == "__main__":
    main()
