"""IAM groups and membership: Create/Get/Update/Delete/ListGroups, AddUserToGroup, RemoveUserFromGroup."""

from __future__ import annotations

from directory.services import groups as group_services
from iam_console.query.registry import operation
from iam_console.query.shapes import group_out, kwargs, page_out, user_out


@operation("iam", "CreateGroup")
def create_group(caller, params: dict) -> dict:
    group = group_services.create_group(caller=caller, group_name=params["GroupName"], **kwargs(params, path="Path"))
    return {"Group": group_out(group)}


@operation("iam", "GetGroup")
def get_group(caller, params: dict) -> dict:
    result = group_services.get_group(caller=caller, group_name=params["GroupName"],
                                      **kwargs(params, marker="Marker", max_items="MaxItems"))
    return {"Group": group_out(result.group), **page_out(result.users, "Users", user_out)}


@operation("iam", "UpdateGroup")
def update_group(caller, params: dict) -> dict:
    group_services.update_group(caller=caller, group_name=params["GroupName"],
                                **kwargs(params, new_group_name="NewGroupName", new_path="NewPath"))
    return {}


@operation("iam", "DeleteGroup")
def delete_group(caller, params: dict) -> dict:
    group_services.delete_group(caller=caller, group_name=params["GroupName"])
    return {}


@operation("iam", "ListGroups")
def list_groups(caller, params: dict) -> dict:
    page = group_services.list_groups(caller=caller, path_prefix=params.get("PathPrefix") or "/",
                                      **kwargs(params, marker="Marker", max_items="MaxItems"))
    return page_out(page, "Groups", group_out)


@operation("iam", "AddUserToGroup")
def add_user_to_group(caller, params: dict) -> dict:
    group_services.add_user_to_group(caller=caller, group_name=params["GroupName"], user_name=params["UserName"])
    return {}


@operation("iam", "RemoveUserFromGroup")
def remove_user_from_group(caller, params: dict) -> dict:
    group_services.remove_user_from_group(caller=caller, group_name=params["GroupName"],
                                          user_name=params["UserName"])
    return {}
