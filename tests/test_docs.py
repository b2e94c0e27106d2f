"""The documentation keeps up with the code: every environment variable settings.py reads is in
docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_read_from_the_environment_is_documented():
    settings_source = (ROOT / "src" / "servicedesk" / "settings.py").read_text()
    variables = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', settings_source))
    documented = (ROOT / "docs" / "configuration.md").read_text()
    assert len(variables) > 20
    assert sorted(name for name in variables if f"`{name}`" not in documented) == []
