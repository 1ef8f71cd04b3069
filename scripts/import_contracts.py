"""An import-linter contract the tool does not ship: no import cycle between top-level packages.

(import-linter's own acyclic_siblings contract looks below a common parent; our apps are top-level packages.)
Configured in pyproject.toml as type "acyclic_packages" with `packages = [...]`.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AcyclicPackagesContract(Contract):
    type_name = "acyclic_packages"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        packages = list(self.packages)  # type: ignore[arg-type]
        imports = {
            importer: [imported for imported in packages if imported != importer
                       and graph.direct_import_exists(importer=importer, imported=imported, as_packages=True)]
            for importer in packages
        }
        cycles = _cycles(imports)
        return ContractCheck(kept=not cycles, metadata={
            "cycles": [[(a, b, _example(graph, a, b)) for a, b in zip(cycle, cycle[1:], strict=False)]
                       for cycle in cycles]})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join([a for a, _, _ in cycle] + [cycle[-1][1]]))
            for importer, imported, example in cycle:
                output.print(f"    {importer} -> {imported}, e.g. {example}")
            output.new_line()


def _cycles(imports: dict[str, list[str]]) -> list[list[str]]:
    """Every elementary cycle once, as [a, b, ..., a], found by depth-first search from each package."""
    found: list[list[str]] = []
    seen: set[frozenset[tuple[str, str]]] = set()

    def walk(start: str, node: str, path: list[str]) -> None:
        for following in imports[node]:
            if following == start:
                cycle = [*path, start]
                key = frozenset(zip(cycle, cycle[1:], strict=False))
                if key not in seen:
                    seen.add(key)
                    found.append(cycle)
            elif following not in path:
                walk(start, following, [*path, following])

    for package in imports:
        walk(package, package, [package])
    return found


def _example(graph: ImportGraph, importer: str, imported: str) -> str:
    for module in sorted(graph.find_descendants(importer) | {importer}):
        for target in sorted(graph.find_modules_directly_imported_by(module)):
            if target == imported or target.startswith(imported + "."):
                return f"{module} imports {target}"
    return "(indirect)"
