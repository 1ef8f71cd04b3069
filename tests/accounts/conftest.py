"""Fixtures for the account tests: boto3 clients against a live server, and the console's signed-in clients."""

from tests.authorization_api.conftest import docs_service, service_identity  # noqa: F401 - the docs service
from tests.console.conftest import root_console, user_console  # noqa: F401 - shared console fixtures
from tests.federation.conftest import anonymous, issuer, issuer_server, tls  # noqa: F401 - a local OIDC issuer
from tests.query.conftest import aws, iam, sts  # noqa: F401 - shared boto3 fixtures
