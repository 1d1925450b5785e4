"""site.yaml: who publishes this site, and departments.yaml: the registry of units."""

from __future__ import annotations

from typing import Literal, Optional

from generator.kinds.base import Phone, Record, Slug, Text, WebUrl, label


class Contact(Record):
    phone: Optional[Phone] = label("联系电话")
    email: Optional[str] = label("电子邮箱")
    address: Optional[str] = label("通讯地址")


class SiteInfo(Record):
    name: Text = label("网站名称", "网站标题，例如 大连市营商环境公开平台", required=True)
    region: Text = label("行政区域", "网站覆盖的政府，例如 大连市", required=True)
    publisher: Text = label("主办单位", "发布本网站的机关，例如 大连市营商环境建设局", required=True)
    base_url: Optional[WebUrl] = label("网站地址", "正式发布的网址，用于站点地图、订阅和永久链接")
    contact: Optional[Contact] = label("联系方式", "页脚显示的电话、邮箱、地址")
    license: Optional[str] = label("数据许可", "开放数据下载的许可协议")
    complaint_hotline: Optional[Phone] = label("投诉热线", "例如 12345")


class Department(Record):
    id: Slug = label("部门标识", "稳定的英文小写标识 [a-z0-9-]+，用于网址和 powers/ 下的文件名", required=True)
    name: Text = label("部门全称", "例如 大连市市场监督管理局", required=True)
    short_name: Optional[str] = label("部门简称", "例如 市市场监管局")
    region: Text = label("所属区域", "“市本级”或区县名称，例如 金普新区", required=True)
    kind: Optional[Literal["市直部门", "区县部门", "园区", "垂直管理", "其他"]] = label("部门类型")
    parent: Optional[Text] = label("上级部门", "上级部门的标识（不写名称）")
    phone: Optional[Phone] = label("服务电话", "办公电话或服务热线，不填手机号码")
    supervision_phone: Optional[Phone] = label("监督电话", "办公电话或服务热线，不填手机号码")
    address: Optional[str] = label("办公地址")
    website: Optional[WebUrl] = label("部门网站")

    @property
    def display_name(self) -> str:
        return self.name
