"""The auditors' REST API (v1): shared base classes; each app registers its own viewsets."""
