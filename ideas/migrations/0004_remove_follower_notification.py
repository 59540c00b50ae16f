from django.db import migrations


class Migration(migrations.Migration):
    """FollowerNotification is replaced by notifications.Notification; its rows were copied
    there by notifications 0002."""

    dependencies = [
        ('ideas', '0003_engagement_evaluation'),
        ('notifications', '0002_copy_follower_notifications'),
    ]

    operations = [
        migrations.DeleteModel(
            name='FollowerNotification',
        ),
    ]
