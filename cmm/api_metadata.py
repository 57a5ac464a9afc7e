"""What an API endpoint answers to OPTIONS: its name, description and the media types it speaks, nothing more.

DRF's SimpleMetadata builds the "actions" of an OPTIONS answer by instantiating the view's serializer for
POST/PUT: views that pick their serializer per method (most of ours, through `extend_schema`) have none to
give, so OPTIONS was a 500 on 36 endpoints (issue 17); and for the views that have one it lists the fields and
their choices, which is the OpenAPI schema's job (`/api/schema/`), done there once for every caller. The
answer here depends on the view's class only: no serializer, no queryset, no object.
"""

from __future__ import annotations

from rest_framework.metadata import BaseMetadata


class ApiMetadata(BaseMetadata):
    """Name, description, renders and parses of the view (as DRF's SimpleMetadata, without "actions")."""

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
