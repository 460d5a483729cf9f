"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP server in its own process
(`python -m tests.accounts.saml_idp.serve`), signing responses and assertions with xmlsec1."""
