"""Identity federation: OpenID Connect and SAML providers, and the STS calls that trust them."""
