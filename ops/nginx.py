"""nginx configuration of the cluster: one public entry point, sticky routing.

Rules, in the order a request meets them:

- Only the chat channels are public: the page (``/chat/``), socket.io
  (``/socket.io/``), REST (``/webhooks/rest/webhook``) and its health route.
  Everything else, including Rasa's HTTP API (``/model``, ``/conversations``)
  and the server's root, is answered with 404 by nginx itself.
- **Sticky by conversation.** A conversation is served by one Rasa process at a
  time (socket.io keeps its session in the process; one process per
  conversation also avoids waiting for the lock). REST requests are routed by
  the ``sender`` field of their JSON body, socket.io requests by the ``route``
  query parameter the chat page sends (its conversation id, or a random value
  until it has one); without it, by the client's address. Consistent hashing
  moves only the conversations of a process that is down, and those to the
  others; when a process refuses connections, nginx tries the next one.
- Requests already sent to a process that then dies are not sent again (a user
  message could otherwise be handled twice); the user gets a polite error.
- Bodies over ``max_body`` get a polite JSON reply; smaller messages that are
  still too long get the assistant's own polite reply.
- Action calls (they carry the whole conversation, so their size limit is
  large) go through an internal listener to two action servers, round
  robin; a call to a server that is down or answers 502/503 goes to the other
  one (actions only read, so a second try is safe).
- The access log holds time, status, method, path and upstream: no query
  strings (they carry conversation ids), no bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TOO_LARGE_REPLY = (
    '[{"recipient_id": "", "text": "Uw bericht is te lang. '
    'Stuur een korter bericht, dan help ik u graag verder."}]'
)
UNAVAILABLE_REPLY = (
    '[{"recipient_id": "", "text": "De assistent is even niet bereikbaar. '
    'Probeer het over een minuut opnieuw. Bij nood: bel 112."}]'
)


@dataclass(frozen=True)
class NginxLayout:
    """Ports and folders the configuration is written for."""

    directory: Path
    public_port: int
    rasa_ports: list[int]
    actions_port: int
    action_ports: list[int]
    action_timeout_seconds: float = 5.0
    max_message_chars: int = 1000

    @property
    def max_body_bytes(self) -> int:
        """Largest accepted request body: room for the longest message and JSON."""
        return max(16 * 1024, 8 * self.max_message_chars)


def _servers(ports: list[int]) -> str:
    return "\n".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
    )


def render_nginx_conf(layout: NginxLayout) -> str:
    """The complete ``nginx.conf`` for ``layout`` (nginx runs in the foreground)."""
    folder = layout.directory
    rasa = _servers(layout.rasa_ports)
    actions = _servers(layout.action_ports)
    body = layout.max_body_bytes
    action_timeout = f"{layout.action_timeout_seconds:g}s"
    return f"""# Written by ops/nginx.py for `make cluster`; edits are overwritten.
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;

events {{
  worker_connections 2048;
}}

http {{
  server_tokens off;
  log_format entry '$time_iso8601 $status $request_method $uri '
                   '$upstream_addr $request_time';
  access_log {folder}/access.log entry;
  client_body_temp_path {folder}/client_body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  client_max_body_size {body};
  client_body_buffer_size {body};
  default_type application/octet-stream;

  # The conversation of a REST request: the "sender" of its JSON body (the
  # body is read into memory before the upstream is chosen).
  map $request_body $rest_conversation {{
    "~\\"sender\\"\\s*:\\s*\\"(?<sender>[^\\"]{{1,256}})\\"" $sender;
    default $request_id;
  }}
  # The conversation of a socket.io request: ?route=... from the chat page.
  map $arg_route $socket_conversation {{
    "" $remote_addr;
    default $arg_route;
  }}
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    "" close;
  }}

  upstream rasa_rest {{
    hash $rest_conversation consistent;
{rasa}
  }}
  upstream rasa_socket {{
    hash $socket_conversation consistent;
{rasa}
  }}
  upstream action_servers {{
{actions}
  }}

  server {{
    listen 127.0.0.1:{layout.public_port};
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 3;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    error_page 413 = @too_large;
    error_page 502 503 504 = @unavailable;

    location = /webhooks/rest/webhook {{
      proxy_pass http://rasa_rest;
    }}
    location = /webhooks/rest/health {{
      proxy_pass http://rasa_rest;
    }}
    location /socket.io/ {{
      proxy_pass http://rasa_socket;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 3600s;
    }}
    location /chat/ {{
      proxy_pass http://rasa_socket;
    }}
    location = /chat {{
      return 301 /chat/;
    }}
    location = / {{
      return 302 /chat/;
    }}
    location / {{
      return 404;
    }}
    location @too_large {{
      default_type application/json;
      return 413 '{TOO_LARGE_REPLY}';
    }}
    location @unavailable {{
      default_type application/json;
      return 503 '{UNAVAILABLE_REPLY}';
    }}
  }}

  server {{
    listen 127.0.0.1:{layout.actions_port};
    # Rasa sends the whole conversation with every action call.
    client_max_body_size 32m;
    client_body_buffer_size 1m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_connect_timeout 1s;
    proxy_read_timeout {action_timeout};
    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    proxy_next_upstream_tries 2;

    location = /webhook {{
      proxy_pass http://action_servers;
    }}
    location = /health {{
      proxy_pass http://action_servers;
    }}
    location / {{
      return 404;
    }}
  }}
}}
"""
