"""Load a model pulled from the model server beside the event loop, not in it.

Rasa 3.6 pulls new models from the model server (``models:`` in the endpoints;
``make train`` publishes there) and loads them with ``Agent.load_model`` inside
the server's event loop. Loading takes seconds (unpacking, spaCy, the graph), and
for that long no conversation of the process gets an answer: every turn that
arrives during a swap waits.

``install`` replaces Rasa's ``rasa.core.agent._update_model_from_server`` (the
function both the first load and the periodic pull call) with one that builds
the new ``MessageProcessor`` in a worker thread and then swaps it in with a few
assignments on the event loop, the same ones ``Agent.load_model`` makes. Until
the swap, the old model keeps answering; a model that fails to load is logged
("Failed to update model") and the old one stays, as in Rasa. The project's
components package installs it on import, so every Rasa process started with
the project's channels or stores has it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import rasa.core.agent as rasa_agent
from rasa.core.agent import Agent
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.nlu.utils import is_url
from rasa.utils.common import TempDirectoryPath, get_temp_dir_name
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


def _build_processor(agent: Agent, model_directory: Path) -> MessageProcessor:
    """The processor for the model in ``model_directory`` (runs in a thread)."""
    return MessageProcessor(
        model_path=model_directory,
        tracker_store=agent.tracker_store,
        lock_store=agent.lock_store,
        action_endpoint=agent.action_endpoint,
        generator=agent.nlg,
        http_interpreter=agent.http_interpreter,
    )


def swap_processor(agent: Agent, processor: MessageProcessor, fingerprint: str) -> None:
    """Make ``processor`` the agent's model: what ``Agent.load_model`` sets."""
    agent.processor = processor
    agent.domain = processor.domain
    agent._set_fingerprint(fingerprint)
    if agent.tracker_store is not None:
        agent.tracker_store.domain = agent.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = agent.domain.responses if agent.domain else {}


async def update_model_from_server(model_server: EndpointConfig, agent: Agent) -> None:
    """Pull a new model when there is one; load it in a thread; swap it in."""
    if not is_url(model_server.url):
        raise ValueError(f"not a model server URL: {model_server.url}")
    with TempDirectoryPath(get_temp_dir_name()) as temporary_directory:
        try:
            fingerprint = await rasa_agent._pull_model_and_fingerprint(
                model_server, agent.fingerprint, temporary_directory
            )
            if not fingerprint:
                logger.debug("No new model on the model server.")
                return
            loop = asyncio.get_running_loop()
            processor = await loop.run_in_executor(
                None, _build_processor, agent, Path(temporary_directory)
            )
            swap_processor(agent, processor, fingerprint)
            logger.info("New model loaded (fingerprint %s).", fingerprint)
        except Exception:
            logger.exception(
                "Failed to update model. The previous model will stay loaded instead."
            )


def install() -> None:
    """Use :func:`update_model_from_server` for every model pull of this process."""
    rasa_agent._update_model_from_server = update_model_from_server
