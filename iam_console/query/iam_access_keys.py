"""Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys, GetAccessKeyLastUsed."""

from __future__ import annotations

from directory.services import access_keys as key_services
from iam_console.query.registry import operation
from iam_console.query.shapes import access_key_metadata, kwargs, page_out, paginate_list


@operation("iam", "CreateAccessKey")
def create_access_key(caller, params: dict) -> dict:
    created = key_services.create_access_key(caller=caller, **kwargs(params, user_name="UserName"))
    key = created.access_key
    return {"AccessKey": {**access_key_metadata(key, key.user.user_name),
                          "SecretAccessKey": created.secret_access_key}}


@operation("iam", "UpdateAccessKey")
def update_access_key(caller, params: dict) -> dict:
    key_services.update_access_key(caller=caller, access_key_id=params["AccessKeyId"], status=params["Status"],
                                   **kwargs(params, user_name="UserName"))
    return {}


@operation("iam", "DeleteAccessKey")
def delete_access_key(caller, params: dict) -> dict:
    key_services.delete_access_key(caller=caller, access_key_id=params["AccessKeyId"],
                                   **kwargs(params, user_name="UserName"))
    return {}


@operation("iam", "ListAccessKeys")
def list_access_keys(caller, params: dict) -> dict:
    user, keys = key_services.list_access_keys(caller=caller, **kwargs(params, user_name="UserName"))
    page = paginate_list(keys, marker=params.get("Marker"), max_items=params.get("MaxItems"))
    return page_out(page, "AccessKeyMetadata", lambda key: access_key_metadata(key, user.user_name))


@operation("iam", "GetAccessKeyLastUsed")
def get_access_key_last_used(caller, params: dict) -> dict:
    key = key_services.get_access_key_last_used(caller=caller, access_key_id=params["AccessKeyId"])
    if key.last_used_date is None:
        last_used = {"ServiceName": "N/A", "Region": "N/A"}
    else:
        last_used = {"LastUsedDate": key.last_used_date, "ServiceName": key.last_used_service or "N/A",
                     "Region": key.last_used_region or "N/A"}
    return {"UserName": key.user.user_name, "AccessKeyLastUsed": last_used}
