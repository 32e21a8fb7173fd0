/** 提交诉求: an enterprise files an appeal; the server's field errors land on the fields. */
import { URGENCIES, URGENCY_NAMES } from '../../../src/domain/case-model';
import { useEffect, useState } from 'react';
import { Alert, Button, Form, Input, Radio, Select, Typography, Upload, type UploadFile } from 'antd';
import { api, ApiError, fieldOf } from '../api';
import { navigate } from '../router';
import type { Me } from '../types';
import { checked, OpenCaseBody } from '../validation';

interface CatalogueItem {
  code: string;
  name: string;
  active: boolean;
  policyText: { response: string; resolution: string };
}

export function FileCase({ me }: { me: Me }) {
  const [form] = Form.useForm();
  const [buildings, setBuildings] = useState<{ id: string; name: string }[]>([]);
  const [catalogue, setCatalogue] = useState<CatalogueItem[]>([]);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [fileProblem, setFileProblem] = useState<string>();
  const category = Form.useWatch('category', form) as string | undefined;
  const chosen = catalogue.find((c) => c.code === category);

  useEffect(() => {
    api.get<{ buildings: { id: string; name: string }[] }>('/api/directory').then((d) => setBuildings(d.buildings), (e: Error) => setProblem(e.message));
    api.get<{ items: CatalogueItem[] }>('/api/catalogue').then((c) => setCatalogue(c.items.filter((i) => i.active)), (e: Error) => setProblem(e.message));
  }, []);

  async function submit(v: Record<string, string>) {
    setBusy(true);
    setProblem(undefined);
    setFileProblem(undefined);
    try {
      const body = checked(OpenCaseBody, {
        buildingId: v.buildingId,
        enterprise: { creditCode: v.creditCode ?? me.scope.enterprises[0] },
        category: v.category,
        urgency: v.urgency ?? 'normal',
        title: v.title,
        description: v.description,
        contact: { name: v.contactName, phone: v.contactPhone },
        // the names only: the files stay with the enterprise
        ...(files.length ? { attachments: files.map((f) => ({ name: f.name, ...(f.size ? { size: f.size } : {}), ...(f.type ? { mimeType: f.type } : {}) })) } : {}),
      });
      const opened = await api.post<{ caseId: string }>('/api/cases', body, { 'Idempotency-Key': crypto.randomUUID() });
      navigate(`/cases/${opened.caseId}`);
    } catch (err) {
      setProblem((err as Error).message);
      if (err instanceof ApiError) {
        const map: Record<string, string> = { 'contact.name': 'contactName', 'contact.phone': 'contactPhone', 'enterprise.creditCode': 'creditCode' };
        const known = new Set(['buildingId', 'category', 'urgency', 'title', 'description', 'contactName', 'contactPhone', 'creditCode']);
        const fields = err.issues.map((i) => {
          const f = fieldOf(i.field);
          return { name: map[f] ?? f, errors: [i.message] };
        });
        const onFile = err.issues.find((i) => fieldOf(i.field).startsWith('attachments'));
        if (onFile) setFileProblem(`${fieldOf(onFile.field)}：${onFile.message}`);
        form.setFields(fields.filter((f) => known.has(f.name)));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div style={{ maxWidth: 640 }}>
      <Typography.Title level={4}>提交诉求</Typography.Title>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} role="alert" />}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ urgency: 'normal', creditCode: me.scope.enterprises[0] }}>
        {me.scope.enterprises.length > 1 && (
          <Form.Item name="creditCode" label="企业（统一社会信用代码）" rules={[{ required: true, message: '请选择企业' }]}>
            <Select options={me.scope.enterprises.map((c) => ({ value: c, label: c }))} />
          </Form.Item>
        )}
        <Form.Item name="buildingId" label="所在楼宇" rules={[{ required: true, message: '请选择楼宇' }]}>
          <Select options={buildings.map((b) => ({ value: b.id, label: b.name }))} />
        </Form.Item>
        <Form.Item
          name="category"
          label="诉求事项"
          rules={[{ required: true, message: '请选择事项' }]}
          extra={chosen && `承诺时限：签收 ${chosen.policyText.response}，办结 ${chosen.policyText.resolution}`}
        >
          <Select showSearch optionFilterProp="label" options={catalogue.map((c) => ({ value: c.code, label: c.name }))} />
        </Form.Item>
        <Form.Item name="urgency" label="紧急程度">
          <Radio.Group options={URGENCIES.map((value) => ({ value, label: URGENCY_NAMES[value] }))} />
        </Form.Item>
        <Form.Item name="title" label="标题" rules={[{ required: true, message: '请填写标题' }]}>
          <Input showCount maxLength={100} />
        </Form.Item>
        <Form.Item name="description" label="诉求描述" rules={[{ required: true, message: '请描述诉求' }]}>
          <Input.TextArea rows={4} showCount maxLength={4000} />
        </Form.Item>
        <Form.Item name="contactName" label="联系人" rules={[{ required: true, message: '请填写联系人' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="contactPhone" label="联系电话" rules={[{ required: true, message: '请填写联系电话' }]}>
          <Input inputMode="tel" />
        </Form.Item>
        <Form.Item label="附件" extra="仅登记文件名称，文件由企业留存，楼长需要时联系企业获取" validateStatus={fileProblem ? 'error' : undefined} help={fileProblem}>
          <Upload
            multiple
            fileList={files}
            beforeUpload={(file) => {
              setFiles((list) => (list.length >= 20 || list.some((f) => f.name === file.name) ? list : [...list, file]));
              return false;
            }}
            onRemove={(file) => setFiles((list) => list.filter((f) => f.uid !== file.uid))}
          >
            <Button>选择文件</Button>
          </Upload>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>
          提交
        </Button>
      </Form>
    </div>
  );
}
