from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Document(models.Model):
    organisation = models.ForeignKey("cmm.Organisation", on_delete=models.CASCADE)
    title = models.CharField(max_length=100)

    def __str__(self):
        return self.title


class DocumentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)
