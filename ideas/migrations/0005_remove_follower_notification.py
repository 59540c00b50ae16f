from django.db import migrations


class Migration(migrations.Migration):
    """FollowerNotification is replaced by notifications.Notification; its rows were copied
    there by notifications 0002."""

    dependencies = [
        ('ideas', '0004_idea_list_order_index'),
        ('notifications', '0002_copy_follower_notifications'),
    ]

    operations = [
        migrations.DeleteModel(
            name='FollowerNotification',
        ),
    ]
