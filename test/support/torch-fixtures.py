"""Writes the checkpoint files the hub tests read, with real PyTorch (run as /usr/bin/python3).

usage: torch-fixtures.py SOURCE.safetensors OUT_DIR MARKER_PATH

From SOURCE's float32 tensors it writes, under OUT_DIR:
  bin/pytorch_model.bin              torch.save(state_dict) in the standard zip layout
  bin-f16/pytorch_model.bin          the same in float16 (HalfStorage)
  bin-bf16/pytorch_model.bin         the same in bfloat16 (BFloat16Storage)
  legacy/pytorch_model.bin           the same in PyTorch's pre-1.6 (non-zip) format
  f16/model.safetensors              F16 tensors
  bf16/model.safetensors             BF16 tensors
  f16-as-f32/model.safetensors       torch's float16 rounding of each tensor, stored as F32 (the expected values)
  bf16-as-f32/model.safetensors      torch's bfloat16 rounding, stored as F32
  sharded/model-0000N-of-00003.safetensors + model.safetensors.index.json
  strided/pytorch_model.bin          views that share storage (a transpose, a strided slice) + strided.json
  strided/legacy.bin                 the same views in the legacy format
  hostile/pytorch_model.bin          a torch.save zip whose pickle calls os.system('touch MARKER_PATH')
The safetensors writer here is independent of WebTune's reader on purpose.
"""
import json
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch

source, out, marker = sys.argv[1], sys.argv[2], sys.argv[3]


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    tensors = OrderedDict()
    for name in sorted(header):
        entry = header[name]
        assert entry["dtype"] == "F32", entry
        begin, end = entry["data_offsets"]
        data = np.frombuffer(raw[8 + n + begin : 8 + n + end], dtype="<f4").copy()
        tensors[name] = torch.from_numpy(data).reshape(entry["shape"])
    return tensors


DTYPES = {torch.float32: ("F32", torch.int32), torch.float16: ("F16", torch.int16), torch.bfloat16: ("BF16", torch.int16)}


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        dtype, same_width_int = DTYPES[t.dtype]
        data = t.view(same_width_int).numpy().astype(same_width_int == torch.int32 and "<i4" or "<i2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def save(path, obj, legacy=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


tensors = read_safetensors(source)
state = OrderedDict((k, v.clone()) for k, v in tensors.items())
# What nn.Module.state_dict() attaches, so the pickle carries it as transformers' checkpoints do.
state._metadata = OrderedDict([("", {"version": 1}), ("embeddings", {"version": 1})])
save(f"{out}/bin/pytorch_model.bin", state)
save(f"{out}/legacy/pytorch_model.bin", state, legacy=True)
save(f"{out}/bin-f16/pytorch_model.bin", OrderedDict((k, v.half()) for k, v in state.items()))
save(f"{out}/bin-bf16/pytorch_model.bin", OrderedDict((k, v.bfloat16()) for k, v in state.items()))
write_safetensors(f"{out}/f16/model.safetensors", OrderedDict((k, v.half()) for k, v in state.items()))
write_safetensors(f"{out}/bf16/model.safetensors", OrderedDict((k, v.bfloat16()) for k, v in state.items()))
write_safetensors(f"{out}/f16-as-f32/model.safetensors", OrderedDict((k, v.half().float()) for k, v in state.items()))
write_safetensors(f"{out}/bf16-as-f32/model.safetensors", OrderedDict((k, v.bfloat16().float()) for k, v in state.items()))

names = list(state)
shards = [names[i::3] for i in range(3)]
weight_map = {}
for i, part in enumerate(shards):
    file = f"model-{i + 1:05d}-of-00003.safetensors"
    write_safetensors(f"{out}/sharded/{file}", OrderedDict((k, state[k]) for k in part))
    weight_map.update({k: file for k in part})
with open(f"{out}/sharded/model.safetensors.index.json", "w") as f:
    json.dump({"metadata": {"total_size": sum(v.numel() * 4 for v in state.values())}, "weight_map": weight_map}, f)

base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
views = OrderedDict(base=base, transposed=base.t(), strided=base[1:3, ::2], row=base[2])
save(f"{out}/strided/pytorch_model.bin", views)
save(f"{out}/strided/legacy.bin", views, legacy=True)
with open(f"{out}/strided/strided.json", "w") as f:
    json.dump({k: {"shape": list(v.shape), "data": v.contiguous().flatten().tolist()} for k, v in views.items()}, f)


class Hostile:
    def __reduce__(self):
        return (os.system, (f"touch {marker}",))


save(f"{out}/hostile/pytorch_model.bin", OrderedDict(weight=torch.zeros(2), trap=Hostile()))
