"""The procedure catalogue (danh mục TTHC, docs/spec §2.2) of the sample.

Procedures are listed by hand with the level that handles them, the managing field, the
statutory processing time in working days, the usual fee and a relative dossier volume. Licence
procedures get their real-life follow-ups (``Cấp lại …``, ``Điều chỉnh …``) generated from the
base entry, which brings the catalogue to a few hundred rows.

Codes copy the national style ``<kind>.<six digits>.<publishing agency's code>``: kind 1 or 2,
a number unique within the catalogue, and the province root's code (``1.001234.000.00.00.H32``).
The ten procedures specific to the showcase district (Nha Trang) are published by that city and
so carry its code (``2.000123.000.00.31.H32``).

Owners (``agency_code``): a provincial procedure belongs to its department; district- and
commune-level procedures are run by every district or commune alike and have no single owner,
so their ``agency_code`` is left empty (the root's catalogue metrics still count them,
docs/spec §4.4); the showcase district's own procedures belong to it, which gives the Nha Trang plan's
full-online target (docs/spec §2.5) a catalogue to be measured on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .units import Unit, current_owner

PROVINCE, DISTRICT, COMMUNE, SHOWCASE = "province", "district", "commune", "showcase"

# (level, managing department key, field, name, processing working days, fee VND, volume)
BASE: list[tuple[str, str, str, str, int, int, float]] = [
    # Sở Tư pháp
    (PROVINCE, "stp", "Lý lịch tư pháp", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam", 10, 200000, 40),
    (PROVINCE, "stp", "Lý lịch tư pháp", "Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng", 10, 0, 3),
    (PROVINCE, "stp", "Lý lịch tư pháp", "Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, tổ chức chính trị - xã hội", 10, 0, 2),
    (PROVINCE, "stp", "Công chứng", "Đăng ký hoạt động Văn phòng công chứng", 10, 1000000, 0.5),
    (PROVINCE, "stp", "Công chứng", "Đăng ký hành nghề và cấp Thẻ công chứng viên", 10, 100000, 0.5),
    (PROVINCE, "stp", "Luật sư", "Đăng ký hoạt động của tổ chức hành nghề luật sư", 10, 100000, 0.5),
    (PROVINCE, "stp", "Quốc tịch", "Xác nhận có quốc tịch Việt Nam ở trong nước", 5, 100000, 0.3),
    (PROVINCE, "stp", "Quốc tịch", "Thôi quốc tịch Việt Nam ở trong nước", 20, 2500000, 0.2),
    (PROVINCE, "stp", "Đấu giá tài sản", "Đăng ký hoạt động của doanh nghiệp đấu giá tài sản", 10, 1000000, 0.2),
    (PROVINCE, "stp", "Trợ giúp pháp lý", "Yêu cầu trợ giúp pháp lý", 1, 0, 1),
    (PROVINCE, "stp", "Bồi thường nhà nước", "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ gây thiệt hại", 30, 0, 0.1),
    (PROVINCE, "stp", "Giám định tư pháp", "Bổ nhiệm giám định viên tư pháp", 20, 0, 0.1),
    (DISTRICT, "stp", "Hộ tịch", "Đăng ký khai sinh có yếu tố nước ngoài", 3, 75000, 2),
    (DISTRICT, "stp", "Hộ tịch", "Đăng ký kết hôn có yếu tố nước ngoài", 15, 1500000, 2),
    (DISTRICT, "stp", "Hộ tịch", "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc", 3, 28000, 3),
    (DISTRICT, "stp", "Hộ tịch", "Ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài", 5, 75000, 2),
    (DISTRICT, "stp", "Chứng thực", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của nước ngoài cấp", 0, 2000, 6),
    (DISTRICT, "stp", "Chứng thực", "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật", 0, 10000, 3),
    (DISTRICT, "stp", "Chứng thực", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", 2, 50000, 1),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký khai sinh", 0, 0, 25),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký kết hôn", 0, 0, 8),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký khai tử", 0, 0, 6),
    (COMMUNE, "stp", "Hộ tịch", "Cấp bản sao trích lục hộ tịch", 0, 8000, 15),
    (COMMUNE, "stp", "Hộ tịch", "Cấp Giấy xác nhận tình trạng hôn nhân", 3, 15000, 12),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký nhận cha, mẹ, con", 3, 15000, 1),
    (COMMUNE, "stp", "Hộ tịch", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, 15000, 3),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký lại khai sinh", 5, 5000, 1),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", 3, 15000, 1),
    (COMMUNE, "stp", "Hộ tịch", "Đăng ký giám hộ", 3, 0, 0.5),
    (COMMUNE, "stp", "Hộ tịch", "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", 5, 0, 6),
    (COMMUNE, "stp", "Chứng thực", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận", 0, 2000, 30),
    (COMMUNE, "stp", "Chứng thực", "Chứng thực chữ ký trong các giấy tờ, văn bản", 0, 10000, 8),
    (COMMUNE, "stp", "Chứng thực", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất và nhà ở", 2, 50000, 4),
    (COMMUNE, "stp", "Chứng thực", "Chứng thực di chúc", 2, 50000, 0.5),
    (COMMUNE, "stp", "Chứng thực", "Chứng thực văn bản thỏa thuận phân chia di sản", 2, 50000, 0.8),
    # Sở Kế hoạch và Đầu tư
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", 3, 50000, 10),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên", 3, 50000, 5),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký thành lập công ty cổ phần", 3, 50000, 3),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký doanh nghiệp đối với doanh nghiệp tư nhân", 3, 50000, 2),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký thay đổi người đại diện theo pháp luật của công ty", 3, 50000, 4),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp", 3, 50000, 4),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký thay đổi vốn điều lệ, tỷ lệ vốn góp", 3, 50000, 3),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Thông báo thay đổi ngành, nghề kinh doanh", 3, 50000, 5),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo", 3, 0, 5),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Giải thể doanh nghiệp", 5, 0, 2),
    (PROVINCE, "skhdt", "Thành lập và hoạt động doanh nghiệp", "Đăng ký hoạt động chi nhánh, văn phòng đại diện, địa điểm kinh doanh", 3, 50000, 4),
    (PROVINCE, "skhdt", "Đầu tư tại Việt Nam", "Chấp thuận chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", 30, 0, 0.3),
    (PROVINCE, "skhdt", "Đầu tư tại Việt Nam", "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư", 15, 0, 0.5),
    (PROVINCE, "skhdt", "Đầu tư tại Việt Nam", "Điều chỉnh dự án đầu tư thuộc thẩm quyền chấp thuận chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", 15, 0, 0.4),
    (DISTRICT, "skhdt", "Thành lập và hoạt động của hộ kinh doanh", "Đăng ký thành lập hộ kinh doanh", 3, 100000, 15),
    (DISTRICT, "skhdt", "Thành lập và hoạt động của hộ kinh doanh", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", 3, 50000, 6),
    (DISTRICT, "skhdt", "Thành lập và hoạt động của hộ kinh doanh", "Tạm ngừng hoạt động hộ kinh doanh", 3, 0, 3),
    (DISTRICT, "skhdt", "Thành lập và hoạt động của hộ kinh doanh", "Chấm dứt hoạt động hộ kinh doanh", 3, 0, 3),
    (DISTRICT, "skhdt", "Thành lập và hoạt động của hợp tác xã", "Đăng ký thành lập hợp tác xã", 3, 100000, 0.5),
    # Sở Tài chính
    (PROVINCE, "stc", "Tin học - Thống kê", "Đăng ký mã số đơn vị có quan hệ với ngân sách", 2, 0, 3),
    (PROVINCE, "stc", "Quản lý giá", "Quyết định giá thuộc thẩm quyền của cấp tỉnh", 15, 0, 0.5),
    (PROVINCE, "stc", "Quản lý công sản", "Quyết định thanh lý tài sản công", 15, 0, 0.5),
    (PROVINCE, "stc", "Quản lý công sản", "Quyết định điều chuyển tài sản công", 15, 0, 0.3),
    # Sở Xây dựng
    (PROVINCE, "sxd", "Hoạt động xây dựng", "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II", 20, 100000, 3),
    (PROVINCE, "sxd", "Hoạt động xây dựng", "Cấp giấy phép xây dựng sửa chữa, cải tạo công trình", 20, 100000, 1),
    (PROVINCE, "sxd", "Hoạt động xây dựng", "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III", 20, 300000, 4),
    (PROVINCE, "sxd", "Hoạt động xây dựng", "Cấp chứng chỉ năng lực hoạt động xây dựng hạng II, hạng III", 20, 1000000, 2),
    (PROVINCE, "sxd", "Hoạt động xây dựng", "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng", 30, 0, 1),
    (PROVINCE, "sxd", "Hoạt động xây dựng", "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở", 30, 0, 1),
    (PROVINCE, "sxd", "Nhà ở", "Thông báo nhà ở hình thành trong tương lai đủ điều kiện được bán, thuê mua", 15, 0, 0.5),
    (PROVINCE, "sxd", "Kinh doanh bất động sản", "Cấp chứng chỉ hành nghề môi giới bất động sản", 10, 200000, 1),
    (DISTRICT, "sxd", "Hoạt động xây dựng", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", 15, 75000, 12),
    (DISTRICT, "sxd", "Hoạt động xây dựng", "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với nhà ở riêng lẻ", 15, 75000, 3),
    (DISTRICT, "sxd", "Hoạt động xây dựng", "Cấp giấy phép di dời công trình", 15, 75000, 0.2),
    (DISTRICT, "sxd", "Hoạt động xây dựng", "Thẩm định báo cáo kinh tế - kỹ thuật đầu tư xây dựng", 20, 0, 0.5),
    # Sở Giao thông vận tải
    (PROVINCE, "sgtvt", "Đường bộ", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", 5, 135000, 40),
    (PROVINCE, "sgtvt", "Đường bộ", "Cấp mới giấy phép lái xe", 10, 135000, 15),
    (PROVINCE, "sgtvt", "Đường bộ", "Cấp giấy phép lái xe quốc tế", 5, 135000, 2),
    (PROVINCE, "sgtvt", "Đường bộ", "Cấp phù hiệu xe ô tô kinh doanh vận tải", 2, 0, 6),
    (PROVINCE, "sgtvt", "Đường bộ", "Cấp giấy phép kinh doanh vận tải bằng xe ô tô", 5, 200000, 2),
    (PROVINCE, "sgtvt", "Đường bộ", "Cấp giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn trên đường bộ", 2, 0, 1),
    (PROVINCE, "sgtvt", "Đường bộ", "Chấp thuận xây dựng công trình thiết yếu trong phạm vi bảo vệ kết cấu hạ tầng giao thông đường bộ", 7, 0, 0.5),
    (PROVINCE, "sgtvt", "Đường bộ", "Cấp giấy phép thi công công trình trên đường bộ đang khai thác", 7, 0, 0.5),
    (PROVINCE, "sgtvt", "Đường bộ", "Đăng ký xe máy chuyên dùng lần đầu", 3, 200000, 1),
    (PROVINCE, "sgtvt", "Đường thủy nội địa", "Đăng ký phương tiện thủy nội địa lần đầu đối với phương tiện chưa khai thác", 3, 70000, 1),
    (DISTRICT, "sgtvt", "Đường thủy nội địa", "Đăng ký lần đầu phương tiện đang khai thác trên đường thủy nội địa", 3, 70000, 1),
    # Sở Tài nguyên và Môi trường
    (PROVINCE, "stnmt", "Đất đai", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, tặng cho, thừa kế", 10, 50000, 40),
    (PROVINCE, "stnmt", "Đất đai", "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", 20, 100000, 10),
    (PROVINCE, "stnmt", "Đất đai", "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", 7, 50000, 8),
    (PROVINCE, "stnmt", "Đất đai", "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất", 10, 50000, 3),
    (PROVINCE, "stnmt", "Đất đai", "Tách thửa hoặc hợp thửa đất", 15, 0, 6),
    (PROVINCE, "stnmt", "Đất đai", "Đính chính Giấy chứng nhận đã cấp", 10, 0, 1),
    (PROVINCE, "stnmt", "Đất đai", "Cung cấp thông tin, dữ liệu đất đai", 2, 20000, 6),
    (PROVINCE, "stnmt", "Đất đai", "Gia hạn sử dụng đất ngoài khu công nghệ cao, khu kinh tế", 7, 0, 0.5),
    (PROVINCE, "stnmt", "Đất đai", "Giao đất, cho thuê đất cho tổ chức", 20, 0, 0.3),
    (PROVINCE, "stnmt", "Đất đai", "Chuyển mục đích sử dụng đất đối với tổ chức", 20, 0, 0.3),
    (PROVINCE, "stnmt", "Đăng ký biện pháp bảo đảm", "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 0, 80000, 20),
    (PROVINCE, "stnmt", "Đăng ký biện pháp bảo đảm", "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 0, 20000, 10),
    (PROVINCE, "stnmt", "Môi trường", "Cấp giấy phép môi trường thuộc thẩm quyền của Ủy ban nhân dân cấp tỉnh", 30, 0, 0.5),
    (PROVINCE, "stnmt", "Môi trường", "Thẩm định báo cáo đánh giá tác động môi trường", 30, 0, 0.3),
    (PROVINCE, "stnmt", "Tài nguyên nước", "Cấp giấy phép khai thác, sử dụng nước dưới đất", 30, 0, 0.3),
    (PROVINCE, "stnmt", "Tài nguyên nước", "Cấp giấy phép thăm dò nước dưới đất", 30, 0, 0.1),
    (PROVINCE, "stnmt", "Khoáng sản", "Cấp giấy phép khai thác khoáng sản làm vật liệu xây dựng thông thường", 30, 0, 0.1),
    (PROVINCE, "stnmt", "Đo đạc, bản đồ và thông tin địa lý", "Cung cấp thông tin, dữ liệu, sản phẩm đo đạc và bản đồ", 5, 0, 0.5),
    (DISTRICT, "stnmt", "Đất đai", "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền đối với hộ gia đình, cá nhân", 15, 0, 6),
    (DISTRICT, "stnmt", "Đất đai", "Giao đất, cho thuê đất cho hộ gia đình, cá nhân", 20, 0, 1),
    (DISTRICT, "stnmt", "Đất đai", "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp huyện", 30, 0, 0.5),
    (COMMUNE, "stnmt", "Đất đai", "Hòa giải tranh chấp đất đai", 30, 0, 1),
    # Sở Lao động - Thương binh và Xã hội
    (PROVINCE, "sldtbxh", "Việc làm", "Giải quyết hưởng trợ cấp thất nghiệp", 20, 0, 25),
    (PROVINCE, "sldtbxh", "Việc làm", "Tạm dừng hưởng trợ cấp thất nghiệp", 3, 0, 3),
    (PROVINCE, "sldtbxh", "Việc làm", "Chấm dứt hưởng trợ cấp thất nghiệp", 3, 0, 3),
    (PROVINCE, "sldtbxh", "Việc làm", "Chuyển nơi hưởng trợ cấp thất nghiệp", 3, 0, 1),
    (PROVINCE, "sldtbxh", "Việc làm", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", 5, 600000, 3),
    (PROVINCE, "sldtbxh", "Việc làm", "Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép lao động", 5, 0, 1),
    (PROVINCE, "sldtbxh", "Người có công", "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", 10, 0, 0.5),
    (PROVINCE, "sldtbxh", "Người có công", "Cấp trích lục hoặc sao hồ sơ người có công với cách mạng", 5, 0, 0.5),
    (PROVINCE, "sldtbxh", "Giáo dục nghề nghiệp", "Cấp giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp", 10, 0, 0.3),
    (PROVINCE, "sldtbxh", "Lao động - Tiền lương", "Đăng ký nội quy lao động của doanh nghiệp", 7, 0, 0.5),
    (DISTRICT, "sldtbxh", "Bảo trợ xã hội", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hàng tháng", 20, 0, 5),
    (DISTRICT, "sldtbxh", "Bảo trợ xã hội", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", 5, 0, 2),
    (COMMUNE, "sldtbxh", "Bảo trợ xã hội", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật", 25, 0, 2),
    (COMMUNE, "sldtbxh", "Bảo trợ xã hội", "Đổi, cấp lại Giấy xác nhận khuyết tật", 5, 0, 0.5),
    (COMMUNE, "sldtbxh", "Giảm nghèo", "Xác định hộ gia đình làm nông nghiệp, lâm nghiệp, ngư nghiệp có mức sống trung bình", 7, 0, 2),
    (COMMUNE, "sldtbxh", "Giảm nghèo", "Công nhận hộ thoát nghèo, hộ thoát cận nghèo trong năm", 10, 0, 1),
    # Sở Y tế
    (PROVINCE, "syt", "Khám bệnh, chữa bệnh", "Cấp giấy phép hành nghề khám bệnh, chữa bệnh", 20, 360000, 3),
    (PROVINCE, "syt", "Khám bệnh, chữa bệnh", "Cấp giấy phép hoạt động đối với phòng khám chuyên khoa", 30, 4300000, 1),
    (PROVINCE, "syt", "Dược phẩm", "Cấp Chứng chỉ hành nghề dược", 20, 500000, 3),
    (PROVINCE, "syt", "Dược phẩm", "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược cho cơ sở bán lẻ thuốc", 20, 1000000, 3),
    (PROVINCE, "syt", "Mỹ phẩm", "Cấp số tiếp nhận Phiếu công bố sản phẩm mỹ phẩm sản xuất trong nước", 3, 500000, 2),
    (PROVINCE, "syt", "An toàn thực phẩm và dinh dưỡng", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở sản xuất thực phẩm, kinh doanh dịch vụ ăn uống", 20, 1000000, 3),
    (PROVINCE, "syt", "An toàn thực phẩm và dinh dưỡng", "Cấp giấy xác nhận nội dung quảng cáo thực phẩm", 10, 1100000, 0.5),
    (PROVINCE, "syt", "Trang thiết bị y tế", "Công bố đủ điều kiện mua bán trang thiết bị y tế", 3, 1000000, 1),
    (DISTRICT, "syt", "An toàn thực phẩm và dinh dưỡng", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống", 20, 700000, 2),
    # Sở Giáo dục và Đào tạo
    (PROVINCE, "sgddt", "Văn bằng, chứng chỉ", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", 0, 0, 4),
    (PROVINCE, "sgddt", "Văn bằng, chứng chỉ", "Chỉnh sửa nội dung văn bằng, chứng chỉ", 5, 0, 1),
    (PROVINCE, "sgddt", "Văn bằng, chứng chỉ", "Công nhận văn bằng tốt nghiệp các cấp học phổ thông do cơ sở giáo dục nước ngoài cấp", 20, 0, 0.3),
    (PROVINCE, "sgddt", "Thi, tuyển sinh", "Phúc khảo bài thi tốt nghiệp trung học phổ thông", 10, 0, 2),
    (PROVINCE, "sgddt", "Giáo dục trung học", "Chuyển trường đối với học sinh trung học phổ thông", 3, 0, 2),
    (PROVINCE, "sgddt", "Giáo dục và Đào tạo thuộc hệ thống giáo dục quốc dân", "Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục", 20, 0, 0.3),
    (DISTRICT, "sgddt", "Giáo dục trung học", "Chuyển trường đối với học sinh trung học cơ sở", 3, 0, 2),
    (DISTRICT, "sgddt", "Giáo dục và Đào tạo thuộc hệ thống giáo dục quốc dân", "Cho phép trường mầm non, trường tiểu học, trường trung học cơ sở tư thục hoạt động giáo dục", 20, 0, 0.2),
    (COMMUNE, "sgddt", "Giáo dục và Đào tạo thuộc hệ thống giáo dục quốc dân", "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động giáo dục", 20, 0, 0.2),
    # Sở Công Thương
    (PROVINCE, "sct", "Lưu thông hàng hóa trong nước", "Cấp Giấy phép bán buôn rượu trên địa bàn tỉnh", 10, 1200000, 0.5),
    (PROVINCE, "sct", "Lưu thông hàng hóa trong nước", "Cấp Giấy phép bán buôn sản phẩm thuốc lá", 15, 1200000, 0.2),
    (PROVINCE, "sct", "Xúc tiến thương mại", "Thông báo thực hiện khuyến mại", 0, 0, 10),
    (PROVINCE, "sct", "Xúc tiến thương mại", "Đăng ký thực hiện khuyến mại theo hình thức mang tính may rủi trên địa bàn một tỉnh", 5, 0, 2),
    (PROVINCE, "sct", "Xúc tiến thương mại", "Đăng ký tổ chức hội chợ, triển lãm thương mại", 5, 0, 0.5),
    (PROVINCE, "sct", "Kinh doanh xăng dầu", "Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", 15, 1200000, 0.5),
    (PROVINCE, "sct", "Điện", "Cấp giấy phép hoạt động tư vấn chuyên ngành điện", 10, 800000, 0.3),
    (PROVINCE, "sct", "An toàn thực phẩm", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm do Sở Công Thương thực hiện", 20, 1000000, 1),
    (PROVINCE, "sct", "Hóa chất", "Cấp Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất sản xuất, kinh doanh có điều kiện", 12, 1200000, 0.2),
    (PROVINCE, "sct", "Kinh doanh khí", "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai", 15, 1200000, 0.3),
    (DISTRICT, "sct", "Lưu thông hàng hóa trong nước", "Cấp Giấy phép bán lẻ rượu", 10, 1200000, 2),
    (DISTRICT, "sct", "Lưu thông hàng hóa trong nước", "Cấp Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh", 10, 1200000, 0.3),
    (DISTRICT, "sct", "Lưu thông hàng hóa trong nước", "Cấp Giấy phép bán lẻ sản phẩm thuốc lá", 10, 1200000, 1),
    # Sở Nông nghiệp và Phát triển nông thôn
    (PROVINCE, "snnptnt", "Thủy sản", "Cấp văn bản chấp thuận đóng mới, cải hoán, thuê, mua tàu cá", 7, 0, 1),
    (PROVINCE, "snnptnt", "Thủy sản", "Đăng ký tàu cá", 3, 40000, 2),
    (PROVINCE, "snnptnt", "Thủy sản", "Cấp giấy phép khai thác thủy sản", 5, 40000, 3),
    (PROVINCE, "snnptnt", "Thủy sản", "Cấp Giấy chứng nhận an toàn kỹ thuật tàu cá", 5, 0, 2),
    (PROVINCE, "snnptnt", "Thủy sản", "Cấp giấy xác nhận nguồn gốc thủy sản khai thác", 1, 0, 1),
    (PROVINCE, "snnptnt", "Thú y", "Cấp Giấy chứng nhận kiểm dịch động vật, sản phẩm động vật vận chuyển ra khỏi địa bàn cấp tỉnh", 1, 0, 3),
    (PROVINCE, "snnptnt", "Thú y", "Cấp chứng chỉ hành nghề thú y", 5, 0, 0.3),
    (PROVINCE, "snnptnt", "Bảo vệ thực vật", "Cấp Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật", 20, 500000, 0.5),
    (PROVINCE, "snnptnt", "Trồng trọt", "Cấp Giấy chứng nhận đủ điều kiện buôn bán phân bón", 15, 500000, 0.5),
    (PROVINCE, "snnptnt", "Lâm nghiệp", "Phê duyệt phương án khai thác gỗ rừng trồng", 10, 0, 0.3),
    (PROVINCE, "snnptnt", "Thủy lợi", "Cấp giấy phép cho các hoạt động trong phạm vi bảo vệ công trình thủy lợi", 15, 0, 0.2),
    (PROVINCE, "snnptnt", "Quản lý chất lượng nông lâm sản và thủy sản", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản", 15, 700000, 1),
    (DISTRICT, "snnptnt", "Nông nghiệp", "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai, dịch bệnh", 10, 0, 0.5),
    # Sở Văn hóa và Thể thao
    (PROVINCE, "svhtt", "Nghệ thuật biểu diễn", "Thông báo tổ chức biểu diễn nghệ thuật", 5, 0, 1.5),
    (PROVINCE, "svhtt", "Quảng cáo", "Tiếp nhận thông báo sản phẩm quảng cáo trên bảng quảng cáo, băng-rôn", 5, 0, 2),
    (PROVINCE, "svhtt", "Thể dục thể thao", "Cấp Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao", 7, 0, 1),
    (PROVINCE, "svhtt", "Gia đình", "Cấp Giấy chứng nhận đăng ký hoạt động của cơ sở tư vấn về phòng, chống bạo lực gia đình", 10, 0, 0.1),
    (DISTRICT, "svhtt", "Văn hóa", "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke", 5, 4000000, 1),
    (COMMUNE, "svhtt", "Văn hóa", "Xét tặng danh hiệu Gia đình văn hóa hằng năm", 5, 0, 1),
    # Sở Du lịch
    (PROVINCE, "sdl", "Lữ hành", "Cấp Giấy phép kinh doanh dịch vụ lữ hành nội địa", 10, 3000000, 2),
    (PROVINCE, "sdl", "Hướng dẫn du lịch", "Cấp thẻ hướng dẫn viên du lịch quốc tế", 10, 650000, 2),
    (PROVINCE, "sdl", "Hướng dẫn du lịch", "Cấp thẻ hướng dẫn viên du lịch nội địa", 10, 650000, 1),
    (PROVINCE, "sdl", "Lưu trú du lịch", "Công nhận hạng cơ sở lưu trú du lịch: hạng 1 sao, 2 sao, 3 sao", 30, 2000000, 1),
    (PROVINCE, "sdl", "Du lịch", "Công nhận cơ sở kinh doanh dịch vụ du lịch khác đạt tiêu chuẩn phục vụ khách du lịch", 15, 0, 0.5),
    # Sở Thông tin và Truyền thông
    (PROVINCE, "stttt", "Xuất bản, In và Phát hành", "Cấp giấy phép hoạt động in", 7, 0, 0.3),
    (PROVINCE, "stttt", "Xuất bản, In và Phát hành", "Đăng ký hoạt động cơ sở in", 3, 0, 0.3),
    (PROVINCE, "stttt", "Xuất bản, In và Phát hành", "Cấp giấy phép xuất bản tài liệu không kinh doanh", 10, 0, 1),
    (PROVINCE, "stttt", "Báo chí", "Cho phép họp báo (trong nước)", 1, 0, 0.3),
    (PROVINCE, "stttt", "Phát thanh, truyền hình và thông tin điện tử", "Cấp giấy phép thiết lập trang thông tin điện tử tổng hợp", 10, 0, 0.3),
    (PROVINCE, "stttt", "Bưu chính", "Xác nhận thông báo hoạt động bưu chính", 7, 0, 0.2),
    (DISTRICT, "stttt", "Phát thanh, truyền hình và thông tin điện tử", "Cấp Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử công cộng", 5, 0, 0.5),
    # Sở Khoa học và Công nghệ
    (PROVINCE, "skhcn", "Hoạt động khoa học và công nghệ", "Đăng ký hoạt động khoa học và công nghệ", 15, 0, 0.2),
    (PROVINCE, "skhcn", "Hoạt động khoa học và công nghệ", "Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ", 10, 0, 0.2),
    (PROVINCE, "skhcn", "Tiêu chuẩn, Đo lường, Chất lượng", "Đăng ký công bố hợp chuẩn dựa trên kết quả tự đánh giá", 5, 0, 1),
    (PROVINCE, "skhcn", "Tiêu chuẩn, Đo lường, Chất lượng", "Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu", 1, 0, 0.5),
    (PROVINCE, "skhcn", "An toàn bức xạ và hạt nhân", "Cấp giấy phép tiến hành công việc bức xạ - sử dụng thiết bị X-quang chẩn đoán trong y tế", 15, 0, 0.5),
    (PROVINCE, "skhcn", "An toàn bức xạ và hạt nhân", "Cấp chứng chỉ nhân viên bức xạ", 15, 0, 0.3),
    # Sở Nội vụ
    (PROVINCE, "snv", "Tổ chức phi chính phủ", "Phê duyệt điều lệ hội", 30, 0, 0.2),
    (PROVINCE, "snv", "Thi đua, khen thưởng", "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh", 20, 0, 3),
    (PROVINCE, "snv", "Thi đua, khen thưởng", "Tặng danh hiệu Chiến sĩ thi đua cấp tỉnh", 20, 0, 1),
    (PROVINCE, "snv", "Thi đua, khen thưởng", "Tặng Cờ thi đua của Ủy ban nhân dân cấp tỉnh", 20, 0, 0.5),
    (PROVINCE, "snv", "Tôn giáo", "Thông báo danh mục hoạt động tôn giáo đối với tổ chức có địa bàn hoạt động ở nhiều huyện thuộc một tỉnh", 30, 0, 0.3),
    (PROVINCE, "snv", "Văn thư và Lưu trữ nhà nước", "Phục vụ việc sử dụng tài liệu của độc giả tại phòng đọc", 0, 0, 0.3),
    (DISTRICT, "snv", "Thi đua, khen thưởng", "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện", 20, 0, 3),
    (DISTRICT, "snv", "Tôn giáo", "Thông báo tổ chức quyên góp trong địa bàn một huyện của cơ sở tín ngưỡng, tổ chức tôn giáo", 20, 0, 0.3),
    (COMMUNE, "snv", "Thi đua, khen thưởng", "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã", 20, 0, 1),
    (COMMUNE, "snv", "Tín ngưỡng", "Đăng ký hoạt động tín ngưỡng", 15, 0, 0.3),
    (COMMUNE, "snv", "Tôn giáo", "Đăng ký sinh hoạt tôn giáo tập trung", 20, 0, 0.2),
    # Sở Ngoại vụ
    (PROVINCE, "sngv", "Hợp tác quốc tế", "Cho phép tổ chức hội nghị, hội thảo quốc tế thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân tỉnh", 15, 0, 1),
    (PROVINCE, "sngv", "Lãnh sự", "Cho phép doanh nhân sử dụng thẻ đi lại của doanh nhân APEC", 10, 0, 1),
    # Ban Quản lý Khu kinh tế Vân Phong
    (PROVINCE, "bqlkkt", "Đầu tư tại khu kinh tế", "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư trong khu kinh tế", 15, 0, 1),
    (PROVINCE, "bqlkkt", "Đầu tư tại khu kinh tế", "Điều chỉnh Giấy chứng nhận đăng ký đầu tư trong khu kinh tế", 10, 0, 1),
    (PROVINCE, "bqlkkt", "Việc làm", "Cấp giấy phép lao động cho người nước ngoài làm việc trong khu kinh tế", 5, 600000, 1.5),
    (PROVINCE, "bqlkkt", "Lao động - Tiền lương", "Đăng ký nội quy lao động của doanh nghiệp trong khu kinh tế", 7, 0, 0.3),
    (PROVINCE, "bqlkkt", "Hoạt động xây dựng", "Cấp giấy phép xây dựng công trình trong khu kinh tế", 20, 100000, 1),
    # Công an tỉnh
    (PROVINCE, "ca", "Xuất nhập cảnh", "Cấp hộ chiếu phổ thông lần đầu tại Công an cấp tỉnh", 8, 200000, 20),
    (PROVINCE, "ca", "Xuất nhập cảnh", "Cấp lại hộ chiếu phổ thông tại Công an cấp tỉnh", 8, 200000, 6),
    (PROVINCE, "ca", "Xuất nhập cảnh", "Cấp thị thực cho người nước ngoài tại Việt Nam", 5, 600000, 2),
    (PROVINCE, "ca", "Xuất nhập cảnh", "Gia hạn tạm trú cho người nước ngoài tại Việt Nam", 5, 250000, 3),
    (PROVINCE, "ca", "Xuất nhập cảnh", "Cấp thẻ tạm trú cho người nước ngoài tại Việt Nam", 5, 3500000, 1),
    (PROVINCE, "ca", "Đăng ký, quản lý phương tiện giao thông", "Đăng ký xe ô tô lần đầu tại Công an cấp tỉnh", 2, 500000, 6),
    (PROVINCE, "ca", "Đăng ký, quản lý phương tiện giao thông", "Thu hồi đăng ký, biển số xe", 2, 0, 3),
    (PROVINCE, "ca", "Phòng cháy, chữa cháy", "Thẩm định thiết kế về phòng cháy và chữa cháy", 15, 0, 1),
    (PROVINCE, "ca", "Phòng cháy, chữa cháy", "Nghiệm thu về phòng cháy và chữa cháy", 10, 0, 1),
    (PROVINCE, "ca", "Quản lý ngành, nghề kinh doanh có điều kiện", "Cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự", 5, 300000, 3),
    # Thanh tra tỉnh
    (PROVINCE, "tt", "Giải quyết khiếu nại", "Giải quyết khiếu nại lần đầu tại cấp tỉnh", 30, 0, 1),
    (PROVINCE, "tt", "Giải quyết khiếu nại", "Giải quyết khiếu nại lần hai tại cấp tỉnh", 30, 0, 0.5),
    (PROVINCE, "tt", "Giải quyết tố cáo", "Giải quyết tố cáo tại cấp tỉnh", 30, 0, 0.3),
    (PROVINCE, "tt", "Tiếp công dân", "Tiếp công dân tại cấp tỉnh", 0, 0, 2),
    (DISTRICT, "tt", "Giải quyết khiếu nại", "Giải quyết khiếu nại lần đầu tại cấp huyện", 30, 0, 1),
    (DISTRICT, "tt", "Tiếp công dân", "Tiếp công dân tại cấp huyện", 0, 0, 2),
    (COMMUNE, "tt", "Giải quyết khiếu nại", "Giải quyết khiếu nại lần đầu tại cấp xã", 30, 0, 0.5),
    (COMMUNE, "tt", "Tiếp công dân", "Tiếp công dân tại cấp xã", 0, 0, 1),
    # Ban Dân tộc
    (PROVINCE, "bdt", "Công tác dân tộc", "Công nhận người có uy tín trong đồng bào dân tộc thiểu số", 15, 0, 1),
    (PROVINCE, "bdt", "Công tác dân tộc", "Đưa ra khỏi danh sách người có uy tín trong đồng bào dân tộc thiểu số", 10, 0, 0.3),
    # The showcase district's own procedures (Nha Trang city)
    (SHOWCASE, "", "Giao thông vận tải", "Cấp phép sử dụng tạm thời một phần hè phố, lòng đường không vào mục đích giao thông trên địa bàn thành phố Nha Trang", 5, 0, 3),
    (SHOWCASE, "", "Du lịch", "Cấp giấy phép tổ chức hoạt động kinh doanh dịch vụ trên bãi biển Nha Trang", 7, 0, 1),
    (SHOWCASE, "", "Văn hóa", "Chấp thuận tổ chức sự kiện, lễ hội đường phố tại thành phố Nha Trang", 7, 0, 0.5),
    (SHOWCASE, "", "Giao thông vận tải", "Cấp giấy phép đào đường, vỉa hè để thi công công trình trên địa bàn thành phố Nha Trang", 7, 0, 2),
    (SHOWCASE, "", "Hạ tầng kỹ thuật", "Cấp giấy phép chặt hạ, dịch chuyển cây xanh đô thị trên địa bàn thành phố Nha Trang", 7, 0, 0.5),
    (SHOWCASE, "", "Hoạt động xây dựng", "Cấp giấy phép xây dựng có thời hạn trong khu vực đã có quy hoạch phân khu tại thành phố Nha Trang", 15, 75000, 1),
    (SHOWCASE, "", "Hạ tầng kỹ thuật", "Thỏa thuận đấu nối hệ thống thoát nước đô thị trên địa bàn thành phố Nha Trang", 7, 0, 1),
    (SHOWCASE, "", "Quảng cáo", "Cấp phép treo băng-rôn quảng cáo tạm thời trên địa bàn thành phố Nha Trang", 3, 0, 1),
    (SHOWCASE, "", "Du lịch", "Xác nhận điều kiện kinh doanh dịch vụ lưu trú homestay trên địa bàn thành phố Nha Trang", 10, 0, 0.5),
    (SHOWCASE, "", "Quản lý đô thị", "Cấp số nhà trên địa bàn thành phố Nha Trang", 5, 0, 2),
]

# Follow-up procedures of a licence: (prefix the base name starts with, follow-up prefix,
# share of the base volume, processing days as a share of the base, fee as a share of the base).
FOLLOW_UPS: list[tuple[str, str, float, float, float]] = [
    ("Cấp giấy phép", "Cấp lại giấy phép", 0.12, 0.5, 0.5),
    ("Cấp Giấy phép", "Cấp lại Giấy phép", 0.12, 0.5, 0.5),
    ("Cấp Giấy chứng nhận", "Cấp lại Giấy chứng nhận", 0.12, 0.5, 0.5),
    ("Cấp chứng chỉ", "Cấp lại chứng chỉ", 0.10, 0.5, 0.5),
    ("Cấp Chứng chỉ", "Cấp lại Chứng chỉ", 0.10, 0.5, 0.5),
    ("Cấp thẻ", "Cấp đổi thẻ", 0.10, 0.5, 1.0),
    ("Cấp giấy phép", "Điều chỉnh giấy phép", 0.08, 0.7, 0.2),
    ("Cấp Giấy phép", "Điều chỉnh Giấy phép", 0.08, 0.7, 0.2),
    ("Cấp giấy phép", "Gia hạn giấy phép", 0.06, 0.5, 0.5),
]

# Licences that have no such follow-ups in real life.
NO_FOLLOW_UP = ("lái xe quốc tế", "xác nhận nội dung quảng cáo", "di dời công trình")

# Levels of today's catalogue (what each procedure is offered at, docs/spec §2.2), decided by hand
# for the showcase district so that its plan target is measurable: 8 of 10 qualify, 7 are full.
SHOWCASE_ELIGIBLE = [True, True, True, True, True, True, True, True, False, False]
SHOWCASE_LEVEL = [4, 4, 4, 4, 4, 4, 4, 3, 2, 3]

# Share of the catalogue's declared information that simplification removed (docs/spec §4.4).
TARGET_INFO_CUT = 0.205


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    level: str
    owner_key: str
    agency_code: str | None
    service_level: int
    full_online_eligible: bool
    processing_days: int
    fee: int
    weight: float
    declared_fields: int
    declared_fields_baseline: int | None
    previous_level: int
    """The level before the upgrade to ``service_level`` on ``level_since``."""
    level_since: dt.date


def _expand() -> list[tuple[str, str, str, str, int, int, float]]:
    """The base list plus each licence's follow-up procedures."""
    entries = []
    for level, key, field, name, days, fee, weight in BASE:
        entries.append((level, key, field, name, days, fee, weight))
        if level == SHOWCASE or any(word in name for word in NO_FOLLOW_UP):
            continue
        for prefix, follow, volume, day_share, fee_share in FOLLOW_UPS:
            if name.startswith(prefix + " "):
                entries.append((level, key, field, follow + name[len(prefix):],
                                max(1, round(days * day_share)) if days else 0,
                                int(round(fee * fee_share, -3)), weight * volume))
    return entries


def _codes(rng: np.random.Generator, count: int, suffixes: list[str]) -> list[str]:
    """Unique national-style codes; kind 2 for about a third, like the real catalogue."""
    numbers = rng.choice(np.arange(1, 13000), size=count, replace=False)
    kinds = np.where(rng.random(count) < 0.33, 2, 1)
    return [f"{k}.{n:06d}.{suffix}" for k, n, suffix in zip(kinds, numbers, suffixes)]


def _levels(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Eligibility, today's level, the level before the last upgrade and the upgrade date.

    About 70% qualify for full-online service; most of those are level 4 today, upgraded at a
    date spread from mid-2022 to mid-2025 so that full-online dossiers grow year on year.
    """
    eligible = rng.random(count) < 0.70
    level = np.where(eligible, np.where(rng.random(count) < 0.9, 4, 3),
                     np.where(rng.random(count) < 0.3, 3, 2))
    previous = np.where(level == 4, np.where(rng.random(count) < 0.8, 3, 2), level)
    start = dt.date(2022, 6, 1)
    since_days = rng.integers(0, (dt.date(2025, 6, 30) - start).days, size=count)
    since = np.array([start + dt.timedelta(days=int(d)) for d in since_days])
    return eligible, level, previous, since


def _declared_fields(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Today's declared fields and the pre-simplification baseline (0 = not recorded).

    About 60% of procedures went through the review that records a baseline; a quarter of the
    catalogue was actually simplified. The cut sizes are then scaled so that the catalogue-wide
    ratio lands on TARGET_INFO_CUT.
    """
    baseline = rng.integers(6, 41, size=count)
    reviewed = rng.random(count) < 0.60
    simplified = reviewed & (rng.random(count) < 0.25 / 0.60)
    raw_cut = np.where(simplified, rng.uniform(0.2, 0.7, size=count), 0.0)
    wanted = TARGET_INFO_CUT * baseline[reviewed].sum()
    scale = wanted / max(1e-9, (raw_cut * baseline)[reviewed].sum())
    cut = np.minimum(np.round(raw_cut * scale * baseline), baseline - 2).astype(int)
    cut = np.where(simplified, np.maximum(cut, 1), 0)
    current = baseline - cut
    return current, np.where(reviewed, baseline, 0)


def build_catalogue(seed: int, tree: list[Unit]) -> list[Procedure]:
    """The catalogue for ``tree``: the same procedures and codes for every tree and format.

    Owners are mapped onto the tree as it is today: a department's procedures go to the
    department that holds that key now, after the mergers of 2025 (the root where the tree has
    no such department), the showcase procedures to the first district of the tree (Nha Trang,
    which published them).
    """
    rng = np.random.default_rng([seed, 101])
    entries = _expand()
    root = tree[0].code
    showcase = next(u.code for u in tree if u.kind == "district")
    by_key = current_owner(tree)
    suffixes = [showcase if e[0] == SHOWCASE else root for e in entries]
    codes = _codes(rng, len(entries), suffixes)
    eligible, level, previous, since = _levels(rng, len(entries))
    current, baseline = _declared_fields(rng, len(entries))
    procedures, showcase_i = [], 0
    for i, (lvl, key, field, name, days, fee, weight) in enumerate(entries):
        if lvl == SHOWCASE:
            eligible[i], level[i] = SHOWCASE_ELIGIBLE[showcase_i], SHOWCASE_LEVEL[showcase_i]
            previous[i] = min(level[i], 3)
            showcase_i += 1
        owner = {PROVINCE: by_key.get(key, root), SHOWCASE: showcase}.get(lvl)
        procedures.append(Procedure(
            code=codes[i], name=name, field=field, level=lvl, owner_key=key, agency_code=owner,
            service_level=int(level[i]), full_online_eligible=bool(eligible[i]),
            processing_days=days, fee=fee, weight=weight, declared_fields=int(current[i]),
            declared_fields_baseline=int(baseline[i]) or None, previous_level=int(previous[i]),
            level_since=since[i]))
    return procedures


def info_cut_ratio(procedures: list[Procedure]) -> float:
    """docs/spec §4.4 declared_info_reduction over the whole catalogue, for checks and the report."""
    rows = [p for p in procedures if p.declared_fields_baseline]
    base = sum(p.declared_fields_baseline for p in rows)
    return (base - sum(p.declared_fields for p in rows)) / base
