"""IAM users and their tags: Create/Get/Update/Delete/ListUsers, ListGroupsForUser, Tag/Untag/ListUserTags."""

from __future__ import annotations

from directory.services import tags as tag_services
from directory.services import users as user_services
from iam_console.query.registry import operation
from iam_console.query.shapes import group_out, kwargs, page_out, paginate_list, tags_out, user_out


def tag_arguments(params: dict) -> list[dict[str, str]]:
    """Tags as the services take them (and the REST API passes them), so both doors audit the same request."""
    return [{"key": tag["Key"], "value": tag.get("Value", "")} for tag in params.get("Tags") or []]


@operation("iam", "CreateUser")
def create_user(caller, params: dict) -> dict:
    user = user_services.create_user(caller=caller, user_name=params["UserName"], path=params.get("Path") or "/",
                                     tags=tag_arguments(params),
                                     permissions_boundary=params.get("PermissionsBoundary"))
    return {"User": user_out(user, detail=True)}


@operation("iam", "GetUser")
def get_user(caller, params: dict) -> dict:
    user = user_services.get_user(caller=caller, **kwargs(params, user_name="UserName"))
    return {"User": user_out(user, detail=True)}


@operation("iam", "UpdateUser")
def update_user(caller, params: dict) -> dict:
    user_services.update_user(caller=caller, user_name=params["UserName"],
                              **kwargs(params, new_user_name="NewUserName", new_path="NewPath"))
    return {}


@operation("iam", "DeleteUser")
def delete_user(caller, params: dict) -> dict:
    user_services.delete_user(caller=caller, user_name=params["UserName"])
    return {}


@operation("iam", "ListUsers")
def list_users(caller, params: dict) -> dict:
    page = user_services.list_users(caller=caller, path_prefix=params.get("PathPrefix") or "/",
                                    **kwargs(params, marker="Marker", max_items="MaxItems"))
    return page_out(page, "Users", user_out)


@operation("iam", "ListGroupsForUser")
def list_groups_for_user(caller, params: dict) -> dict:
    page = user_services.list_groups_for_user(caller=caller, user_name=params["UserName"],
                                              **kwargs(params, marker="Marker", max_items="MaxItems"))
    return page_out(page, "Groups", group_out)


@operation("iam", "TagUser")
def tag_user(caller, params: dict) -> dict:
    tag_services.tag_user(caller=caller, user_name=params["UserName"], tags=tag_arguments(params))
    return {}


@operation("iam", "UntagUser")
def untag_user(caller, params: dict) -> dict:
    tag_services.untag_user(caller=caller, user_name=params["UserName"], tag_keys=list(params["TagKeys"]))
    return {}


@operation("iam", "ListUserTags")
def list_user_tags(caller, params: dict) -> dict:
    tags = tag_services.list_user_tags(caller=caller, user_name=params["UserName"])
    page = paginate_list(tags, marker=params.get("Marker"), max_items=params.get("MaxItems"))
    answer = page_out(page, "Tags", lambda tag: tags_out([tag])[0])
    return answer
