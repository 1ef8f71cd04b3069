"""REST API for virtual MFA devices: create, enable with two consecutive codes, list, resync, deactivate, delete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from directory.mfa import services as mfa
from directory.mfa.requirement import Scope, get_mfa_requirement, update_mfa_requirement
from iam_console.rest.base import IAMAPIView, errors, parse
from iam_console.rest.serializers import Date, StrictSerializer, Text, aws_date


class CreateVirtualMFADeviceRequest(StrictSerializer):
    virtual_mfa_device_name = Text(help_text="1 to 226 characters from letters, digits and +=,.@_-")
    path = Text(required=False, default="/", help_text="Begins and ends with /; part of the serial number.")


class CodesRequest(StrictSerializer):
    serial_number = Text(help_text="The device's ARN, as CreateVirtualMFADevice returned it.")
    authentication_code_1 = Text(help_text="A code from the device.")
    authentication_code_2 = Text(help_text="The code that follows authentication_code_1.")


class SerialNumberRequest(StrictSerializer):
    serial_number = Text()


class ListVirtualMFADevicesQuery(StrictSerializer):
    assignment_status = serializers.ChoiceField(choices=list(mfa.ASSIGNMENT_STATUSES), required=False,
                                                default="Any")


class MFARequirementBody(StrictSerializer):
    scope = serializers.ChoiceField(choices=Scope.values, help_text="None, All, or Groups.")
    group_names = serializers.ListField(child=Text(), required=False, default=list)


class VirtualMFADeviceOut(serializers.Serializer):
    serial_number = serializers.CharField()
    base32_string_seed = serializers.CharField(help_text="The seed: returned once, never again.")
    otpauth_uri = serializers.CharField(help_text="The Key URI an authenticator app scans (holds the seed).")


class MFADeviceOut(serializers.Serializer):
    user_name = serializers.CharField(source="user.user_name")
    serial_number = serializers.CharField()
    device_name = serializers.CharField(source="name")
    enable_date = Date()
    last_used_date = Date(source="last_used_at", allow_null=True)


class VirtualMFADeviceListItem(serializers.Serializer):
    serial_number = serializers.CharField()
    user_name = serializers.SerializerMethodField(help_text="The user it is assigned to; null while Unassigned.")
    enable_date = Date(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_user_name(self, device) -> str | None:
        return device.user.user_name if device.confirmed else None


class VirtualMFADeviceList(serializers.Serializer):
    virtual_mfa_devices = VirtualMFADeviceListItem(many=True)
    is_truncated = serializers.BooleanField()


class MFADeviceList(serializers.Serializer):
    user_name = serializers.CharField()
    mfa_devices = MFADeviceOut(many=True)
    is_truncated = serializers.BooleanField()


class EnableOut(serializers.Serializer):
    serial_number = serializers.CharField()
    enable_date = Date()
    recovery_codes = serializers.ListField(child=serializers.CharField(),
                                           help_text="Ten single-use recovery codes, on the first device only.")


class MFARequirementOut(serializers.Serializer):
    scope = serializers.CharField()
    group_names = serializers.ListField(child=serializers.CharField())


class MFARequirementEnvelope(serializers.Serializer):
    mfa_requirement = MFARequirementOut()


class MFADeviceListView(IAMAPIView):
    @extend_schema(operation_id="ListMFADevices", responses={200: MFADeviceList, **errors(401, 403, 404)})
    def get(self, request, user_name: str):
        user, devices = mfa.list_mfa_devices(caller=self.caller(request), user_name=user_name)
        for device in devices:
            device.user = user
        return Response({"user_name": user.user_name, "mfa_devices": MFADeviceOut(devices, many=True).data,
                         "is_truncated": False})

    @extend_schema(operation_id="CreateVirtualMFADevice", request=CreateVirtualMFADeviceRequest,
                   responses={201: VirtualMFADeviceOut, **errors(400, 401, 403, 404, 409)})
    def post(self, request, user_name: str):
        body = parse(CreateVirtualMFADeviceRequest, request.data)
        created = mfa.create_virtual_mfa_device(caller=self.caller(request), user_name=user_name, **body)
        return Response({"virtual_mfa_device": VirtualMFADeviceOut(created).data}, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="DeleteVirtualMFADevice", request=SerialNumberRequest,
                   responses={204: None, **errors(400, 401, 403, 404, 409)})
    def delete(self, request, user_name: str):
        body = parse(SerialNumberRequest, request.data)
        mfa.delete_virtual_mfa_device(caller=self.caller(request), serial_number=body["serial_number"],
                                      user_name=user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EnableMFADeviceView(IAMAPIView):
    @extend_schema(operation_id="EnableMFADevice", request=CodesRequest,
                   responses={200: EnableOut, **errors(400, 401, 403, 404, 409)})
    def post(self, request, user_name: str):
        body = parse(CodesRequest, request.data)
        enabled = mfa.enable_mfa_device(caller=self.caller(request), user_name=user_name, **body)
        return Response({"serial_number": enabled.device.serial_number,
                         "enable_date": aws_date(enabled.device.enable_date),
                         "recovery_codes": enabled.recovery_codes})


class ResyncMFADeviceView(IAMAPIView):
    @extend_schema(operation_id="ResyncMFADevice", request=CodesRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def post(self, request, user_name: str):
        body = parse(CodesRequest, request.data)
        mfa.resync_mfa_device(caller=self.caller(request), user_name=user_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeactivateMFADeviceView(IAMAPIView):
    @extend_schema(operation_id="DeactivateMFADevice", request=SerialNumberRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def post(self, request, user_name: str):
        body = parse(SerialNumberRequest, request.data)
        mfa.deactivate_mfa_device(caller=self.caller(request), user_name=user_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VirtualMFADeviceListView(IAMAPIView):
    @extend_schema(operation_id="ListVirtualMFADevices", parameters=[ListVirtualMFADevicesQuery],
                   responses={200: VirtualMFADeviceList, **errors(400, 401, 403)})
    def get(self, request):
        query = parse(ListVirtualMFADevicesQuery, request.query_params.dict())
        devices = mfa.list_virtual_mfa_devices(caller=self.caller(request), **query)
        return Response({"virtual_mfa_devices": VirtualMFADeviceListItem(devices, many=True).data,
                         "is_truncated": False})


class MFARequirementView(IAMAPIView):
    @extend_schema(operation_id="GetMFARequirement", responses={200: MFARequirementEnvelope, **errors(401, 403)})
    def get(self, request):
        requirement = get_mfa_requirement(caller=self.caller(request))
        return Response({"mfa_requirement": MFARequirementOut(requirement).data})

    @extend_schema(operation_id="UpdateMFARequirement", request=MFARequirementBody,
                   responses={200: MFARequirementEnvelope, **errors(400, 401, 403, 404)})
    def put(self, request):
        body = parse(MFARequirementBody, request.data)
        requirement = update_mfa_requirement(caller=self.caller(request), **body)
        return Response({"mfa_requirement": MFARequirementOut(requirement).data})
