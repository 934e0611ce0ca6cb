"""The models of the component schemas are kept between the builds of one process (the watch's) while
the components are unchanged: the model is then exactly the one a fresh process builds, warnings (placed
anew) included, over a series of random single edits."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from generator.load import load_spec
from generator.model import build as model_build
from tests.render.test_incremental import SPEC, edit


def test_a_model_built_on_kept_components_is_the_fresh_model(tmp_path: Path) -> None:
    rng = random.Random(7)
    spec = yaml.safe_load(SPEC.read_text())
    spec.setdefault("tags", []).append({"name": "Extra", "description": "Moved here."})
    # A component the model warns about (its warning has a place, which edits above it move).
    spec["components"]["schemas"]["Loose"] = {
        "type": "object",
        "properties": {"name": {"type": "string", "not": {"enum": ["x"]}}},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    model_build._COMPONENTS.clear()
    load_spec(path)
    assert str(path) in model_build._COMPONENTS
    assert any("Loose" in w.location.pointer for w in load_spec(path)[1].warnings)
    reused = 0
    for step in range(12):
        kind = edit(spec, rng, step)
        # Lines added at the top move every warning's place.
        spec["info"]["description"] = "\n".join(f"line {i}" for i in range(step + 2))
        path.write_text(yaml.safe_dump(spec, sort_keys=False))
        kept = model_build._COMPONENTS[str(path)][0]
        components = spec["components"]
        reused += kept[0] == components
        _, warm = load_spec(path)
        model_build._COMPONENTS.clear()
        _, fresh = load_spec(path)
        assert warm == fresh, f"after {kind} at step {step}"
    assert reused >= 3
