from django.apps import AppConfig


class GevinstConfig(AppConfig):
    name = "gevinst"

    def ready(self) -> None:
        from gevinst.exports import PROJECT_EXPORT_COLUMNS
        from gevinst.selectors import project_panel, project_panel_reads
        from gevinst.services import plan_reapproval_after_gate
        from portal.consumers import consumer_register
        from projects.events import PROJECT_EVENTS, ProjectEventKind
        from projects.extensions import (
            ProjectPanel,
            project_export_columns_register,
            project_panel_register,
        )

        # A gate passed (a phase ended): the benefit plan is to be approved again (docs/domain.md).
        # The gate decision only writes its event; this reacts after the commit.
        consumer_register("gevinst.plan_reapproval", topic=PROJECT_EVENTS,
                          handle=plan_reapproval_after_gate,
                          kinds={ProjectEventKind.PHASE_CHANGED})
        # The project page's benefits panel and the export's benefit count.
        project_panel_register(ProjectPanel(
            name="gevinst.benefits", template="gevinst/_project_panel.html",
            context=project_panel, stylesheet="gevinst/gevinst.css",
            related=("map_nodes", "map_edges"), reads=project_panel_reads))
        project_export_columns_register(PROJECT_EXPORT_COLUMNS)
