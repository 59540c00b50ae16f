"""Start the test identity provider: `python -m tests.oidc_provider.serve CONFIG.json DB.sqlite3`.

Binds a free port on 127.0.0.1 first (so no other process can take it between choosing and
listening), then sets up its own SQLite database: migrations, an RSA signing key, the clients
and users from CONFIG, and prints `READY http://127.0.0.1:<port>` once it serves. CONFIG:

    {"clients": [{"name", "client_id", "client_secret", "redirect_uris": [...],
                  "post_logout_redirect_uris": [...]}],
     "users": [{"username", "password", "email", "first_name", "last_name"}]}
"""

import json
import os
import sys


def main(config_path: str, database: str) -> None:
    # Bound to port 0 before anything else: the kernel picks a free port and nobody can take
    # it between choosing and listening. Django's settings are read lazily, after the
    # environment below names the port.
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    port = server.server_port
    site_url = f"http://127.0.0.1:{port}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OP_SITE_URL"] = site_url
    os.environ["OP_DATABASE"] = database

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey", stdout=open(os.devnull, "w"))
    _load(json.loads(open(config_path, encoding="utf-8").read()))

    from django.core.wsgi import get_wsgi_application

    server.set_app(get_wsgi_application())
    print(f"READY {site_url}", flush=True)
    server.serve_forever()


def _load(config: dict) -> None:
    from django.contrib.auth import get_user_model
    from oidc_provider.models import Client, ResponseType

    code = ResponseType.objects.get(value="code")
    for item in config.get("clients", []):
        client = Client.objects.create(
            name=item["name"], client_type="confidential", client_id=item["client_id"],
            client_secret=item["client_secret"], require_consent=False, reuse_consent=True,
            _redirect_uris="\n".join(item["redirect_uris"]),
            _post_logout_redirect_uris="\n".join(item.get("post_logout_redirect_uris", [])),
            _scope="openid email profile", jwt_alg="RS256")
        client.response_types.set([code])
    User = get_user_model()
    for item in config.get("users", []):
        User.objects.create_user(item["username"], email=item.get("email", ""),
                                 password=item["password"],
                                 first_name=item.get("first_name", ""),
                                 last_name=item.get("last_name", ""))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
