"""Converts a sentence-transformers BERT model (all-MiniLM-L6-v2) to a GGUF embedding model.

Usage: python minilm_to_gguf.py MODEL_DIR OUT.gguf [f16|q4_0]

MODEL_DIR holds config.json, vocab.txt, tokenizer_config.json, model.safetensors and
1_Pooling/config.json. The output mirrors what llama.cpp's convert_hf_to_gguf.py writes for
BertModel (same tensor names, phantom-space WordPiece vocabulary, mean pooling), without
torch or transformers: the safetensors file is read with numpy, the GGUF written with the
`gguf` package. Weight matrices are stored as F16; vectors (norms, biases) and the position and token-type
embeddings as F32, like the reference converter's default; the output is byte-for-byte reproducible. q4_0 stores the
weight matrices as Q4_0 instead (a 13.5 MiB file: docs/RETRIEVAL.md tests the weak-model
rule with it).
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import gguf

SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
# Tensors BERT needs only for training heads or that llama.cpp computes itself.
SKIPPED = {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        tensors[name] = np.frombuffer(raw, dtype=dtype, count=(end - start) // np.dtype(dtype).itemsize,
                                      offset=base + start).reshape(info["shape"])
    return tensors


def vocabulary(model_dir: Path) -> tuple[list[str], list[int]]:
    """vocab.txt in id order, in llama.cpp's phantom-space form: word starts get U+2581, '##' goes."""
    words = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    special = set(json.loads((model_dir / "special_tokens_map.json").read_text()).values())
    tokens, types = [], []
    for word in words:
        if word in special:
            tokens.append(word)
            types.append(gguf.TokenType.CONTROL)
        else:
            tokens.append(word[2:] if word.startswith("##") else "\u2581" + word)
            types.append(gguf.TokenType.NORMAL)
    return tokens, types


def main(model_dir: Path, out: Path, quant: str = "f16") -> None:
    config = json.loads((model_dir / "config.json").read_text())
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    if config.get("model_type") != "bert":
        sys.exit(f"{model_dir}: not a BERT model (model_type {config.get('model_type')!r})")
    if not pooling.get("pooling_mode_mean_tokens"):
        sys.exit(f"{model_dir}: only mean pooling is supported")
    n_layers = config["num_hidden_layers"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, n_layers)

    writer = gguf.GGUFWriter(str(out), "bert")
    writer.add_name("all-MiniLM-L6-v2")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(n_layers)
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config["layer_norm_eps"])
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_0 if quant == "q4_0" else gguf.LlamaFileType.MOSTLY_F16)

    tokens, types = vocabulary(model_dir)
    writer.add_token_type_count(config.get("type_vocab_size", 1))
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("jina-v2-en")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    ids = {t: i for i, t in enumerate(tokens)}
    writer.add_bos_token_id(ids["[CLS]"])
    writer.add_sep_token_id(ids["[SEP]"])
    writer.add_unk_token_id(ids["[UNK]"])
    writer.add_pad_token_id(ids["[PAD]"])
    writer.add_mask_token_id(ids["[MASK]"])
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)

    for name, data in read_safetensors(model_dir / "model.safetensors").items():
        name = name.removeprefix("bert.")
        if name in SKIPPED:
            continue
        new_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if new_name is None:
            sys.exit(f"{model_dir}: no GGUF name for tensor {name}")
        # llama.cpp adds position and token-type rows to F32 activations: they stay F32.
        half = data.ndim == 2 and not new_name.startswith(("position_embd", "token_types"))
        if half and quant == "q4_0":
            q4 = gguf.GGMLQuantizationType.Q4_0
            writer.add_tensor(new_name, gguf.quants.quantize(data.astype(np.float32), q4), raw_dtype=q4)
        else:
            writer.add_tensor(new_name, data.astype(np.float16 if half else np.float32))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["f16"], ["q4_0"]):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:])
