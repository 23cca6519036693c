from django.core import checks

from .crypto import CredentialKeyError, keyring


@checks.register(checks.Tags.security, deploy=False)
def credential_keys(app_configs, **kwargs):
    try:
        keyring()
    except CredentialKeyError as exc:
        return [checks.Error(str(exc), id="extmail.E001")]
    return []


@checks.register(checks.Tags.security)
def safe_xml(app_configs, **kwargs):
    """Workbooks are untrusted XML: openpyxl must parse them through defusedxml."""
    import openpyxl

    if openpyxl.DEFUSEDXML is not True:
        return [checks.Error("openpyxl is not using defusedxml: install defusedxml and do not "
                             "set OPENPYXL_DEFUSEDXML=False.", id="extmail.E002")]
    return []
