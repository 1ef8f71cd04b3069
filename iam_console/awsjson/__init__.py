"""The AWS JSON 1.1 door (Organizations, and every other service AWS speaks JSON 1.1 for): POST `/` with
`X-Amz-Target: <prefix>.<Operation>` and a JSON body, answered as botocore's model of the service says.

A service joins by a line in service_models.SERVICES and a module of handlers listed below; each handler is
registered with `@operation("<service>", "<Operation>")` (registry.py) and calls the services, as every door does.
"""

# Every module of operation handlers, imported once when the first request needs them: the one list to extend.
HANDLER_MODULES = (
    "iam_console.awsjson.organizations",
    "iam_console.awsjson.identitystore",
    "iam_console.awsjson.sso_admin",
)
