"""The audit log's own pieces: the request context of every audit event, refused case access, reads and
exports recorded by other apps, and the audit viewer (page and API) for CMM coordinators.

The model (cmm.models.AuditEvent) and the one writer (cmm.services.audit_record) stay where they were.
"""
