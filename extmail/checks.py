from django.core import checks

from .crypto import CredentialKeyError, keyring


@checks.register(checks.Tags.security, deploy=False)
def credential_keys(app_configs, **kwargs):
    try:
        keyring()
    except CredentialKeyError as exc:
        return [checks.Error(str(exc), id="extmail.E001")]
    return []
