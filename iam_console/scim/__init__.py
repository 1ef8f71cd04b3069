"""SCIM 2.0 (RFC 7643/7644): the door through which an identity provider provisions the identity store."""
