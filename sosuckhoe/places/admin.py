from django.contrib import admin

from sosuckhoe.places.models import AdminUnit, Facility


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "edition", "level", "type_name"]
    list_filter = ["edition", "level"]
    search_fields = ["name", "code"]
    readonly_fields = ["parent", "path"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "is_vaccination_site", "is_active"]
    list_filter = ["kind", "is_vaccination_site", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["unit"]
